namespace OrleansRaft.Raft;

/// <summary>How one replica behaves. Times are in ticks; the host decides how long a tick is.</summary>
public sealed record RaftOptions
{
    /// <summary>This replica's id; never <see cref="RaftNode.None"/> (0).</summary>
    public required long Id { get; init; }

    /// <summary>
    /// The voters a brand-new group starts with. Used only when the log is empty: the node then writes this
    /// configuration as entry 1 of term 1, as every founding member does, so the founding logs agree.
    /// </summary>
    public IReadOnlyList<long> InitialVoters { get; init; } = [];

    /// <summary>E: a follower that hears no leader for a random time in [E, 2E) starts an election (§5.2).</summary>
    public int ElectionTicks { get; init; } = 10;

    /// <summary>Exclusive upper bound of the randomized election timeout; 0 means 2E.</summary>
    public int ElectionTicksMax { get; init; }

    internal int RandomizedElectionTicksMax => ElectionTicksMax == 0 ? 2 * ElectionTicks : ElectionTicksMax;

    /// <summary>H: a leader sends heartbeats every H ticks; must be well below E.</summary>
    public int HeartbeatTicks { get; init; } = 1;

    /// <summary>Ask for pre-votes before raising the term (thesis §9.6).</summary>
    public bool PreVote { get; init; } = true;

    /// <summary>A leader that has not heard from a quorum within an election timeout steps down (thesis §6.2).</summary>
    public bool CheckQuorum { get; init; } = true;

    /// <summary>Cap on the entry bytes in one AppendEntries message (batching).</summary>
    public long MaxSizePerMessage { get; init; } = 1 << 20;

    /// <summary>Cap on AppendEntries in flight to one follower in replicate state (pipelining).</summary>
    public int MaxInflightMessages { get; init; } = 256;

    /// <summary>
    /// Cap on the snapshot bytes in one InstallSnapshot chunk (§7): a follower that needs a snapshot gets it one chunk
    /// per round trip, and a transfer cut short resumes from the last chunk the follower holds.
    /// </summary>
    public int MaxSnapshotChunkBytes { get; init; } = 1 << 20;

    /// <summary>Cap on the committed-entry bytes handed to the host in one <see cref="Ready"/>.</summary>
    public long MaxCommittedSizePerReady { get; init; } = 64 << 20;

    /// <summary>The last index the host's state machine already applied (on restart with durable state).</summary>
    public long Applied { get; init; }

    /// <summary>The seeded source of every random choice the core makes (election timeouts).</summary>
    public required Random Random { get; init; }

    internal void Validate()
    {
        if (Id == RaftNode.None)
        {
            throw new ArgumentException("id 0 is reserved for 'none'");
        }

        if (HeartbeatTicks <= 0 || ElectionTicks <= HeartbeatTicks)
        {
            throw new ArgumentException($"need 0 < heartbeat ticks ({HeartbeatTicks}) < election ticks ({ElectionTicks})");
        }

        if (RandomizedElectionTicksMax <= ElectionTicks)
        {
            throw new ArgumentException($"need election ticks ({ElectionTicks}) < election ticks max ({ElectionTicksMax})");
        }

        if (MaxInflightMessages <= 0 || MaxSizePerMessage <= 0)
        {
            throw new ArgumentException("in-flight window and message size cap must be positive");
        }

        if (MaxSnapshotChunkBytes <= 0 || MaxSnapshotChunkBytes > Messages.MessageValidation.MaxSnapshotChunkBytes)
        {
            throw new ArgumentException($"snapshot chunk cap must be in [1, {Messages.MessageValidation.MaxSnapshotChunkBytes}]");
        }
    }
}
