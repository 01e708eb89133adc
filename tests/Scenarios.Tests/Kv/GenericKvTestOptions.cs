namespace OrleansRaft.Scenarios.Tests.Kv;

/// <summary>The knobs of 6.5840's GenericTest (kvraft test_test.go); durations are virtual time.</summary>
public sealed record GenericKvTestOptions
{
    /// <summary>The test's name, for the replay command in failure messages.</summary>
    public required string Name { get; init; }

    public int Clients { get; init; } = 1;

    public int Servers { get; init; } = 5;

    /// <summary>The network loses and delays requests and replies (labrpc's unreliable mode).</summary>
    public bool Unreliable { get; init; }

    /// <summary>Every server crashes and restarts from its store after each round.</summary>
    public bool Crash { get; init; }

    /// <summary>The servers are split into two random sides again and again while the clients work.</summary>
    public bool Partitions { get; init; }

    /// <summary>Clients use each other's keys and also Put, so only the linearizability check can judge reads.</summary>
    public bool RandomKeys { get; init; }

    /// <summary>
    /// 6.5840's maxraftstate, in entries: each server snapshots itself once this many entries were applied since its
    /// last snapshot (<see cref="Testing.Cluster.TestClusterOptions.SnapshotEntries"/>), and its stored log must stay
    /// bounded; 0 (the 4A tests) never snapshots, and then no server may hold a snapshot.
    /// </summary>
    public long SnapshotEntries { get; init; }

    public int Rounds { get; init; } = 3;

    /// <summary>How long the clients work in each round (6.5840: 5 s).</summary>
    public TimeSpan ClientPhase { get; init; } = TimeSpan.FromSeconds(5);
}
