namespace OrleansRaft.Testing.Cluster;

public sealed record TestClusterOptions
{
    public int Size { get; init; } = 3;

    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    public int ElectionTicks { get; init; } = 10;

    public int HeartbeatTicks { get; init; } = 2;

    /// <summary>See <see cref="Grains.ReplicaOptions.CheckQuorum"/>.</summary>
    public bool CheckQuorum { get; init; } = true;

    /// <summary>See <see cref="Grains.ReplicaOptions.SnapshotEntries"/>; 0 (the default here) never compacts.</summary>
    public long SnapshotEntries { get; init; }

    public long SnapshotTrailingEntries { get; init; }

    /// <summary>See <see cref="Grains.ReplicaOptions.MaxBatchBytes"/>; it also caps a snapshot chunk.</summary>
    public long MaxBatchBytes { get; init; } = 1 << 20;

    /// <summary>Seeds every replica's randomness (replica i gets Seed + i).</summary>
    public int Seed { get; init; } = 1;
}
