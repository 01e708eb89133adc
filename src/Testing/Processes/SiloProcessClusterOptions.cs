namespace OrleansRaft.Testing.Processes;

/// <summary>A group of <see cref="Size"/> silo processes on free loopback ports, nodes 1..Size.</summary>
public sealed record SiloProcessClusterOptions
{
    public int Size { get; init; } = 3;

    /// <summary>Where each silo logs (<c>node-N.log</c>); see <see cref="ProcessLogFolder.Create"/>.</summary>
    public required string LogDirectory { get; init; }

    public long GroupId { get; init; } = 1;

    /// <summary>The database every silo stores its rows in (keyed by node id); null runs them <c>--in-memory</c>.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>Command-line options every silo gets, e.g. <c>--election-timeout 100-200</c>.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>How long each silo may take to answer <c>/healthz</c> after a start.</summary>
    public TimeSpan HealthyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Per-silo options on top of the shared ones (node id and peers are already set).</summary>
    public Func<SiloProcessOptions, SiloProcessOptions>? Customize { get; init; }
}
