namespace OrleansRaft.Bench.Targets;

/// <summary>A running key/value system a workload can be pointed at; disposing stops what the bench started.</summary>
public interface IKvSystem : IAsyncDisposable
{
    /// <summary>Short name for tables, CSV and chart legends: "orleansraft", "single", "etcd".</summary>
    string Name { get; }

    /// <summary>One line for the report: what runs, where.</summary>
    string Description { get; }

    int Nodes { get; }

    /// <summary>Whether clients can speak cleartext HTTP/2 (prior knowledge) to it.</summary>
    bool SupportsHttp2 { get; }

    /// <summary>Where clients send requests for the given HTTP version.</summary>
    Uri ClientAddress(Version version);

    IKvClient CreateClient(HttpClient http);

    /// <summary>The processes that make up the system now (their children count too), for the CPU table; empty when not ours.</summary>
    IReadOnlyCollection<int> ProcessIds();
}
