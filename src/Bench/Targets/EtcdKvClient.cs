using System.Net;
using System.Text;
using OrleansRaft.Bench.Measurement;

namespace OrleansRaft.Bench.Targets;

/// <summary>
/// etcd 3.4's v3 JSON gateway: POST /v3/kv/put and /v3/kv/range with base64 keys and values. A range without
/// serializable is linearizable, like this project's default GET.
/// </summary>
internal sealed class EtcdKvClient(HttpClient http) : IKvClient
{
    private byte[]? lastValue;
    private string lastValueBase64 = "";

    public async ValueTask<OperationResult> PutAsync(string key, byte[] value, CancellationToken cancellationToken)
    {
        if (!ReferenceEquals(value, lastValue))
        {
            // Workloads reuse one value array: encode it once.
            (lastValue, lastValueBase64) = (value, Convert.ToBase64String(value));
        }

        var body = $"{{\"key\":\"{Base64(key)}\",\"value\":\"{lastValueBase64}\"}}";
        return await PostAsync("put", "/v3/kv/put", body, _ => true, cancellationToken);
    }

    public ValueTask<OperationResult> GetAsync(string key, CancellationToken cancellationToken) =>
        PostAsync("get", "/v3/kv/range", $"{{\"key\":\"{Base64(key)}\"}}", text => text.Contains("\"kvs\"", StringComparison.Ordinal), cancellationToken);

    private async ValueTask<OperationResult> PostAsync(string kind, string path, string json, Func<string, bool> found, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new StringContent(json, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(path, content, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return HttpOutcome.Status(kind, response.StatusCode);
            }

            // grpc-gateway answers gRPC errors with a non-200 status; an absent key is a 200 without "kvs".
            return found(text) ? OperationResult.Success(kind) : OperationResult.Failure(kind, "NotFound");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return HttpOutcome.FromException(kind, e, cancellationToken);
        }
    }

    private static string Base64(string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes(key));
}
