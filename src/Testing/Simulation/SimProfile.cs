using System.Globalization;
using System.Text;
using OrleansRaft.Raft;

namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// Everything a seed decides before the run starts: Raft options, timing, network weather, which faults are
/// enabled and how often they fire, and the client workload. Drawn from the run's single <see cref="Random"/>.
/// </summary>
public sealed record SimProfile
{
    /// <summary>The founding voters, ids 1..Nodes.</summary>
    public required int Nodes { get; init; }

    /// <summary>Servers changed in and out of the group one at a time (thesis §4.1) while faults strike.</summary>
    public required bool Membership { get; init; }

    /// <summary>Servers beyond the founders, ids Nodes+1.., that start outside the group and may be added to it.</summary>
    public required int Spares { get; init; }

    /// <summary>Every server the run has: founders and spares.</summary>
    public int Servers => Nodes + Spares;

    /// <summary>Virtual length of the safety phase, in which faults fire.</summary>
    public required long SafetyMs { get; init; }

    public required int TickMs { get; init; }

    public required int ElectionTicks { get; init; }

    public required int HeartbeatTicks { get; init; }

    public required bool PreVote { get; init; }

    public required bool CheckQuorum { get; init; }

    public required long MaxSizePerMessage { get; init; }

    public required int MaxInflightMessages { get; init; }

    public required long MaxCommittedSizePerReady { get; init; }

    public required int MinDelayMs { get; init; }

    public required int MaxDelayMs { get; init; }

    /// <summary>Chance that a message takes the long road (up to <see cref="TailMaxMs"/>), which reorders it.</summary>
    public required double TailRate { get; init; }

    public required long TailMaxMs { get; init; }

    public required bool Crashes { get; init; }

    /// <summary>Chance per Ready that the node crashes after persisting (or after sending) and before Advance.</summary>
    public required double MidReadyCrashRate { get; init; }

    public required bool Partitions { get; init; }

    /// <summary>Drops and duplicates come and go in bursts of network weather.</summary>
    public required bool Unreliable { get; init; }

    public required bool Transfers { get; init; }

    public required bool Campaigns { get; init; }

    /// <summary>A node stalls (a long GC pause, a stuck disk): no ticks, no messages handled, then it resumes.</summary>
    public required bool Pauses { get; init; }

    /// <summary>Faults come thick and fast, and crashed nodes come back quickly.</summary>
    public required bool Storm { get; init; }

    /// <summary>New leaders are often crashed within a few round trips of their election (see Figure 8).</summary>
    public required bool CrashNewLeaders { get; init; }

    public required long FaultMinMs { get; init; }

    public required long FaultMaxMs { get; init; }

    public required int Clients { get; init; }

    public required int ClientMinMs { get; init; }

    public required int ClientMaxMs { get; init; }

    public required int MaxClientOps { get; init; }

    /// <summary>Proposals one client keeps outstanding at most (it waits for acknowledgements, like a real client).</summary>
    public required int ClientWindow { get; init; }

    /// <summary>Links deliver out of order during the safety phase (otherwise each link is FIFO, as TCP is).</summary>
    public required bool Reorder { get; init; }

    public required double ReadRatio { get; init; }

    public required double BatchRatio { get; init; }

    /// <summary>Hosts snapshot their state machines and compact their logs (§7), and the fault injector forces it too.</summary>
    public required bool Compaction { get; init; }

    /// <summary>A host takes a snapshot once it applied this many entries beyond its last one.</summary>
    public required int CompactEvery { get; init; }

    /// <summary>Entries a host keeps below its snapshot for slow followers (0: compact everything it applied).</summary>
    public required int CompactKeep { get; init; }

    public required int MaxSnapshotChunkBytes { get; init; }

    /// <summary>Bytes of padding in every snapshot, so it spans several chunks.</summary>
    public required int SnapshotPadding { get; init; }

    /// <summary>The longest election timeout any node can draw (2E ticks of the slowest clock), in milliseconds.</summary>
    public long MaxElectionMs => 2L * ElectionTicks * (TickMs + 1);

    /// <summary>How long after the faults stop the cluster has to converge.</summary>
    public long LivenessBudgetMs => 30 * MaxElectionMs;

    /// <summary>A client gives up on an unacknowledged proposal after this long and frees its window slot.</summary>
    public long ClientTimeoutMs => 3 * MaxElectionMs;

    public bool AnyFault => Crashes || Partitions || Unreliable || Transfers || Campaigns || Pauses || Compaction || Membership;

    public static SimProfile Choose(Random rng, int nodes)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var tick = 10;
        var election = rng.Next(8, 16);
        var heartbeat = rng.Next(1, 4);
        var calm = rng.NextDouble() < 0.05;
        var storm = !calm && rng.NextDouble() < 0.3;
        var safetyMs = rng.Next(5_000, 30_001);
        var clients = rng.Next(1, 5);
        var maxOps = rng.Next(200, 3_001);
        return new SimProfile
        {
            Nodes = nodes,
            SafetyMs = safetyMs,
            TickMs = tick,
            ElectionTicks = election,
            HeartbeatTicks = heartbeat,
            PreVote = rng.NextDouble() < 0.75,
            CheckQuorum = rng.NextDouble() < 0.75,
            MaxSizePerMessage = Pick(rng, 1L, 1L, 100L, 300L, 1024L, 8192L, 1L << 20), // 1: one entry per message
            MaxInflightMessages = Pick(rng, 1, 2, 4, 16, 256),
            MaxCommittedSizePerReady = Pick(rng, 100L, 500L, 4096L, 64L << 20),
            MinDelayMs = 1,
            MaxDelayMs = rng.Next(3, 31),
            TailRate = rng.NextDouble() < 0.5 ? 0 : rng.NextDouble() * 0.02,
            TailMaxMs = 10L * election * tick,
            Crashes = !calm && rng.NextDouble() < 0.7,
            MidReadyCrashRate = !calm && rng.NextDouble() < 0.4 ? rng.NextDouble() * 0.001 : 0,
            Partitions = !calm && rng.NextDouble() < 0.7,
            Unreliable = !calm && rng.NextDouble() < 0.6,
            Transfers = !calm && rng.NextDouble() < 0.4,
            Campaigns = !calm && rng.NextDouble() < 0.4,
            Pauses = !calm && rng.NextDouble() < 0.4,
            FaultMinMs = storm ? rng.Next(5, 50) : rng.Next(20, 300),
            FaultMaxMs = storm ? rng.Next(50, 400) : rng.Next(300, 3_000),
            Storm = storm,
            CrashNewLeaders = !calm && rng.NextDouble() < 0.3,
            Clients = clients,
            ClientMinMs = 1,
            ClientMaxMs = Math.Max(2, (int)(2L * safetyMs * clients / maxOps)), // spread the ops over the safety phase
            MaxClientOps = maxOps,
            ClientWindow = Pick(rng, 1, 2, 4, 8, 16, 64),
            Reorder = rng.NextDouble() < 0.5,
            ReadRatio = rng.NextDouble() * 0.5,
            BatchRatio = rng.NextDouble() * 0.3,
            Compaction = rng.NextDouble() < 0.6,
            CompactEvery = Pick(rng, 3, 10, 50, 300),
            CompactKeep = Pick(rng, 0, 0, 2, 20),
            MaxSnapshotChunkBytes = Pick(rng, 16, 64, 256, 1 << 20),
            SnapshotPadding = rng.Next(0, 400),
            Membership = rng.NextDouble() < 0.5,
            Spares = 0,
        } is var profile && profile.Membership ? profile with { Spares = rng.Next(1, 3) } : profile;
    }

    public RaftOptions RaftOptions(long id, Random random) => new()
    {
        Id = id,
        InitialVoters = id <= Nodes ? [.. Enumerable.Range(1, Nodes).Select(i => (long)i)] : [], // a spare joins, never founds
        ElectionTicks = ElectionTicks,
        HeartbeatTicks = HeartbeatTicks,
        PreVote = PreVote,
        CheckQuorum = CheckQuorum,
        MaxSizePerMessage = MaxSizePerMessage,
        MaxInflightMessages = MaxInflightMessages,
        MaxCommittedSizePerReady = MaxCommittedSizePerReady,
        MaxSnapshotChunkBytes = MaxSnapshotChunkBytes,
        Applied = 0,
        Random = random,
    };

    public string Describe()
    {
        var faults = new StringBuilder();
        Flag(faults, Crashes, "crashes");
        Flag(faults, MidReadyCrashRate > 0, $"mid-ready-crashes({MidReadyCrashRate:0.####})");
        Flag(faults, Partitions, "partitions");
        Flag(faults, Unreliable, "unreliable-network");
        Flag(faults, TailRate > 0, $"long-tails({TailRate:0.####})");
        Flag(faults, Reorder, "reordering");
        Flag(faults, Transfers, "transfers");
        Flag(faults, Campaigns, "campaigns");
        Flag(faults, Pauses, "pauses");
        Flag(faults, Membership, $"membership({Spares} spare{(Spares == 1 ? string.Empty : "s")})");
        Flag(faults, Compaction, $"compaction(every {CompactEvery} keep {CompactKeep} chunk {MaxSnapshotChunkBytes} snapshot {32 + SnapshotPadding}B)");
        return string.Create(
            CultureInfo.InvariantCulture,
            $"nodes={Nodes} safety={SafetyMs}ms tick={TickMs}ms election={ElectionTicks} heartbeat={HeartbeatTicks} " +
            $"prevote={PreVote} checkquorum={CheckQuorum} maxmsg={MaxSizePerMessage} inflight={MaxInflightMessages} " +
            $"maxcommitted={MaxCommittedSizePerReady} delay={MinDelayMs}-{MaxDelayMs}ms clients={Clients} window={ClientWindow} ops<={MaxClientOps} " +
            $"reads={ReadRatio:0.##} batches={BatchRatio:0.##} faults every {FaultMinMs}-{FaultMaxMs}ms{(Storm ? " (storm)" : string.Empty)}{(CrashNewLeaders ? " (new leaders crash)" : string.Empty)}: " +
            $"[{(faults.Length == 0 ? "none" : faults.ToString())}]");
    }

    private static T Pick<T>(Random rng, params T[] choices) => choices[rng.Next(choices.Length)];

    private static void Flag(StringBuilder sb, bool on, string name)
    {
        if (on)
        {
            sb.Append(sb.Length == 0 ? string.Empty : " ").Append(name);
        }
    }
}
