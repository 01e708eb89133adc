namespace OrleansRaft.Bench.Targets;

/// <summary>An etcd the user runs (<c>--target etcd=URL</c>): the bench only sends requests to its JSON gateway.</summary>
public sealed class ExternalEtcd(Uri address) : IKvSystem
{
    public string Name => "etcd";

    public string Description => $"etcd at {address} (started outside the bench; its size and settings are its own), v3 JSON gateway over HTTP/1.1";

    public int Nodes => 0;

    public bool SupportsHttp2 => false;

    public Uri ClientAddress(Version version) => address;

    public IKvClient CreateClient(HttpClient http) => new EtcdKvClient(http);

    public IReadOnlyCollection<int> ProcessIds() => [];

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
