using System.Net;
using OrleansRaft.Bench.Measurement;

namespace OrleansRaft.Bench.Targets;

/// <summary>This project's REST API (shared/API.md): PUT and GET /v1/kv/{key}; GET is linearizable by default.</summary>
internal sealed class GatewayKvClient(HttpClient http) : IKvClient
{
    public async ValueTask<OperationResult> PutAsync(string key, byte[] value, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(value);
            using var response = await http.PutAsync(Path(key), content, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return response.StatusCode == HttpStatusCode.OK ? OperationResult.Success("put") : HttpOutcome.Status("put", response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return HttpOutcome.FromException("put", e, cancellationToken);
        }
    }

    public async ValueTask<OperationResult> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(Path(key), cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return response.StatusCode switch
            {
                HttpStatusCode.OK => OperationResult.Success("get"),
                HttpStatusCode.NotFound => OperationResult.Failure("get", "NotFound"),
                _ => HttpOutcome.Status("get", response.StatusCode),
            };
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return HttpOutcome.FromException("get", e, cancellationToken);
        }
    }

    private static string Path(string key) => "/v1/kv/" + Uri.EscapeDataString(key);
}
