namespace OrleansRaft.Bench.Cluster;

/// <summary>How to start a cluster of real silo processes on loopback.</summary>
public sealed record SiloClusterOptions
{
    public int Nodes { get; init; } = 3;

    /// <summary>Node N listens on http://127.0.0.1:(BasePort + N - 1).</summary>
    public int BasePort { get; init; } = 7001;

    public long GroupId { get; init; } = 1;

    /// <summary>The PostgreSQL log store's connection string; null runs the silos with --in-memory.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>The silo's OrleansRaft.Silo.dll; <see cref="RepositoryPaths.SiloDll"/> by default.</summary>
    public string SiloDll { get; init; } = RepositoryPaths.SiloDll;

    /// <summary>Appended to every silo's command line, e.g. <c>--tick-ms 5</c>.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>Added to every silo's environment, e.g. <c>DOTNET_gcServer=0</c>.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Where silo-N.log files go.</summary>
    public required string LogDirectory { get; init; }

    /// <summary>Clients send request bodies with a Content-Length instead of streaming them.</summary>
    public bool SizedRequestBodies { get; init; }

    public TimeSpan LeaderTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a silo may take to exit after SIGTERM before it is killed.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);
}
