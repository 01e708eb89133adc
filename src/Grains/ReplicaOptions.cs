namespace OrleansRaft.Grains;

/// <summary>How one replica grain runs. Ticks are real time here: <see cref="TickInterval"/> each.</summary>
public sealed record ReplicaOptions
{
    public required long NodeId { get; init; }

    public long GroupId { get; init; } = 1;

    /// <summary>The voters a brand-new group starts with (ignored once the log has a configuration).</summary>
    public required IReadOnlyList<long> InitialVoters { get; init; }

    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>E in ticks: elections start after a random [E, 2E) ticks without a leader.</summary>
    public int ElectionTicks { get; init; } = 15;

    /// <summary>Exclusive upper bound of the election timeout in ticks; 0 means 2E.</summary>
    public int ElectionTicksMax { get; init; }

    public int HeartbeatTicks { get; init; } = 3;

    /// <summary>
    /// A leader that heard from no quorum within an election timeout steps down (thesis §6.2). Off only where replies
    /// routinely take longer than an election timeout, which breaks Raft's timing requirement and with it the lease.
    /// </summary>
    public bool CheckQuorum { get; init; } = true;

    public long MaxBatchBytes { get; init; } = 1 << 20;

    public int MaxInflight { get; init; } = 64;

    /// <summary>Client requests waiting in the mailbox beyond this are refused as Unavailable (back-pressure).</summary>
    public int MaxPendingRequests { get; init; } = 50_000;

    /// <summary>Peer messages waiting in the mailbox beyond this are dropped; Raft resends what matters.</summary>
    public int MaxPendingPeerMessages { get; init; } = 50_000;

    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Take a snapshot and compact the log once this many entries were applied since the last one; 0 never.</summary>
    public long SnapshotEntries { get; init; } = 10_000;

    /// <summary>
    /// Entries kept behind a snapshot, so a follower a little behind catches up from the log instead of a whole
    /// snapshot (etcd keeps 5,000); capped at <see cref="SnapshotEntries"/>.
    /// </summary>
    public long SnapshotTrailingEntries { get; init; } = 1_000;

    /// <summary>
    /// Test hook: no turn loop of its own; a turn runs only when the host calls <see cref="RaftReplicaGrain.FlushAsync"/>,
    /// on the host's thread. A test host that steps its replicas one at a time then gets the same turns, and so the
    /// same run, from the same seed, however the thread pool schedules.
    /// </summary>
    public bool HostRunsTurns { get; init; }

    /// <summary>Seeds election-timeout randomness; tests fix it, production draws one at start.</summary>
    public int? Seed { get; init; }
}
