using OrleansRaft.Raft;

namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// One server: the <see cref="RaftNode"/> (null while crashed), its durable log (survives crashes), the log as
/// the running process sees it (durable state plus writes not yet synced), and the host's bookkeeping.
/// </summary>
public sealed class SimNode
{
    private readonly List<StorageWrite> unsynced = [];

    public SimNode(long id, int tickIntervalMs, int tickPhaseMs)
    {
        Id = id;
        TickIntervalMs = tickIntervalMs;
        TickPhaseMs = tickPhaseMs;
    }

    public long Id { get; }

    public int TickIntervalMs { get; }

    public int TickPhaseMs { get; }

    public RaftNode? Raft { get; private set; }

    public bool IsUp => Raft is not null;

    /// <summary>Bumped on every crash; events of an older incarnation (ticks, pending work) are stale.</summary>
    public long Incarnation { get; private set; }

    /// <summary>What survives a crash.</summary>
    public HashedLog Durable { get; private set; } = new();

    /// <summary>What the running node reads: durable state plus unsynced writes (as an OS page cache would show).</summary>
    public HashedLog Live { get; private set; } = new();

    public int UnsyncedWrites => unsynced.Count;

    /// <summary>The host's state machine: the last index it applied in this incarnation.</summary>
    public long Applied { get; set; }

    /// <summary>The host's state machine: a hash of every entry it applied, in order (or restored from a snapshot).</summary>
    public ulong StateHash { get; set; } = Fnv.Offset;

    /// <summary>The host's state machine: the configuration of the last configuration entry it applied.</summary>
    public Configuration AppliedConfiguration { get; set; } = Configuration.Empty;

    /// <summary>The stored log changed since log matching last compared it with the others.</summary>
    public bool LogDirty { get; set; } = true;

    /// <summary>The term in which this node was last observed as leader (0 when it is not leader).</summary>
    public long LeaderTerm { get; set; }

    /// <summary>While leader: the last index of its log at the last observation, and the chain hash there.</summary>
    public long LeaderLastIndex { get; set; }

    public ulong LeaderChain { get; set; }

    /// <summary>The commit index last observed in this incarnation (it must never go down).</summary>
    public long ObservedCommit { get; set; }

    public long ObservedTerm { get; set; }

    /// <summary>Until this virtual time the process is stalled: its ticks and deliveries wait.</summary>
    public long PausedUntil { get; set; }

    public bool IsPaused(long now) => now < PausedUntil;

    /// <summary>Shut down for good by its operator: no longer a member of the group (thesis §4.2.2).</summary>
    public bool Decommissioned { get; set; }

    public Dictionary<(long Index, long Term), Proposal> Proposals { get; } = [];

    public Dictionary<long, IssuedRead> Reads { get; } = [];

    public RaftNode Running => Raft ?? throw new InvalidOperationException($"node {Id} is down");

    public void Start(RaftOptions options)
    {
        if (IsUp)
        {
            throw new InvalidOperationException($"node {Id} is already up");
        }

        Applied = 0;
        StateHash = Fnv.Offset;
        AppliedConfiguration = Configuration.Empty;
        ObservedCommit = 0;
        ObservedTerm = 0;
        LeaderTerm = 0;
        Raft = new RaftNode(options, Live.Storage);
    }

    /// <summary>
    /// The persist step of a Ready: the process sees the write at once; it reaches the durable log only when
    /// this Ready must sync (which also flushes every earlier unsynced write), otherwise it waits in the buffer.
    /// A snapshot from the leader comes first: it replaces the log (<paramref name="chainAtSnapshot"/> is the chain
    /// hash its data carries).
    /// </summary>
    public void Persist(Ready ready, ulong chainAtSnapshot)
    {
        var entries = ready.Entries;
        if (ready.Snapshot is { } snapshot)
        {
            if (!ready.MustSync)
            {
                throw new SimulationFailureException($"[must-sync] node {Id}: a Ready with a snapshot at {snapshot.Index} does not ask for a sync");
            }

            Live.ApplySnapshot(snapshot, chainAtSnapshot);
            LogDirty = true;
        }

        if (ready.HardState is { } hs)
        {
            Live.SetHardState(hs);
        }

        if (entries.Count > 0)
        {
            Live.Append(entries);
            LogDirty = true;
        }

        if (ready.MustSync)
        {
            foreach (var w in unsynced)
            {
                Write(Durable, w.HardState, w.Entries);
            }

            unsynced.Clear();
            if (ready.Snapshot is { } durableSnapshot)
            {
                Durable.ApplySnapshot(durableSnapshot, chainAtSnapshot);
            }

            Write(Durable, ready.HardState, entries);
        }
        else if (ready.HardState is not null || entries.Count > 0)
        {
            unsynced.Add(new StorageWrite(ready.HardState, [.. entries]));
        }
    }

    /// <summary>The host snapshots its state machine at the applied index, durably, and compacts its log (§7).</summary>
    public void TakeSnapshot(ReadOnlyMemory<byte> data, long compactTo)
    {
        Live.TakeSnapshot(Applied, AppliedConfiguration, data, compactTo);
        Durable.TakeSnapshot(Applied, AppliedConfiguration, data, compactTo);
        LogDirty = true;
    }

    /// <summary>The process dies: everything not durable is gone.</summary>
    public void Crash()
    {
        Raft = null;
        Incarnation++;
        PausedUntil = 0;
        unsynced.Clear();
        Live = Durable.Clone();
        LogDirty = true;
        Applied = 0;
        LeaderTerm = 0;
        Proposals.Clear();
        Reads.Clear();
    }

    private static void Write(HashedLog log, HardState? hardState, IReadOnlyList<LogEntry> entries)
    {
        if (hardState is { } hs)
        {
            log.SetHardState(hs);
        }

        log.Append(entries);
    }
}
