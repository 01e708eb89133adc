using System.Text;
using System.Text.Json;

namespace OrleansRaft.Bench.Targets;

/// <summary>An etcd the user runs (<c>--target etcd=URL</c>): the bench only sends requests to its JSON gateway.</summary>
public sealed class ExternalEtcd : IKvSystem
{
    private readonly Uri address;

    private ExternalEtcd(Uri address, int nodes)
    {
        this.address = address;
        Nodes = nodes;
    }

    public string Name => "etcd";

    public string Description => $"etcd at {address} ({(Nodes > 0 ? $"{Nodes} member{(Nodes == 1 ? "" : "s")}" : "size unknown")}; started outside the bench, its settings are its own), v3 JSON gateway over HTTP/1.1";

    /// <summary>Its member count, from /v3/cluster/member/list; 0 when it did not say.</summary>
    public int Nodes { get; }

    public bool SupportsHttp2 => false;

    /// <summary>Checks that etcd answers at <paramref name="address"/> and asks its size.</summary>
    public static async Task<ExternalEtcd> ConnectAsync(Uri address, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var content = new StringContent("{}", Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri(address, "/v3/cluster/member/list"), content, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return new ExternalEtcd(address, json.RootElement.TryGetProperty("members", out var members) ? members.GetArrayLength() : 0);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"etcd at {address} does not answer its JSON gateway (POST /v3/cluster/member/list): {e.Message}", e);
        }
    }

    public Uri ClientAddress(Version version) => address;

    public IKvClient CreateClient(HttpClient http) => new EtcdKvClient(http);

    public IReadOnlyCollection<int> ProcessIds() => [];

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
