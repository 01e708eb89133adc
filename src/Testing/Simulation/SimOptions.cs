namespace OrleansRaft.Testing.Simulation;

/// <summary>How to run one simulation. Everything else is decided by <see cref="Seed"/>.</summary>
public sealed record SimOptions
{
    public required long Seed { get; init; }

    /// <summary>Cluster size, 3 to 11 voters.</summary>
    public int Nodes { get; init; } = 5;

    /// <summary>Receives notable happenings (profile, crashes, partitions, elections, verdict); null for silence.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Also log every single event (very verbose; for replaying a failing seed).</summary>
    public bool TraceEvents { get; init; }
}
