using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using OrleansRaft.Raft;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// One deterministic simulation of a Raft cluster, in the spirit of FoundationDB's Sim2 and TigerBeetle's VOPR:
/// a single seed drives every choice (profile, faults, delays, client load, each node's election randomness);
/// time is virtual; properties are checked after every event. A safety phase with faults is followed by a
/// liveness phase on a healed, reliable network in which the cluster must converge.
/// </summary>
public sealed partial class SimulationRun
{
    private const long MaxEvents = 20_000_000;

    private readonly SimOptions options;
    private readonly Random rng;
    private readonly SimProfile profile;
    private readonly EventQueue queue = new();
    private readonly SimNode[] nodes;
    private readonly SimNetwork network;
    private readonly LogChecker logChecker;
    private readonly ApplyChecker applyChecker;
    private readonly TraceHash trace = new();
    private readonly SimClient[] clients;
    private readonly Action<string>? log;
    private long events;
    private long crashes;
    private bool done;
    private bool ran;

    public SimulationRun(long seed, int nodes)
        : this(new SimOptions { Seed = seed, Nodes = nodes })
    {
    }

    public SimulationRun(SimOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Nodes is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Nodes, "cluster size must be 1 to 64");
        }

        this.options = options;
        log = options.Log;
        rng = new Random(unchecked((int)(options.Seed ^ (options.Seed >>> 32))));
        profile = SimProfile.Choose(rng, options.Nodes);
        nodes = new SimNode[profile.Servers];
        for (var i = 0; i < nodes.Length; i++)
        {
            var interval = profile.TickMs + rng.Next(-1, 2); // clocks drift a little apart
            nodes[i] = new SimNode(i + 1, interval, rng.Next(interval));
        }

        network = new SimNetwork(queue, rng, profile.Servers, profile.MinDelayMs, profile.MaxDelayMs)
        {
            TailRate = profile.TailRate,
            TailMaxMs = profile.TailMaxMs,
            Fifo = !profile.Reorder,
        };
        logChecker = new LogChecker(nodes, queue);
        applyChecker = new ApplyChecker(logChecker, queue);
        clients = [.. Enumerable.Range(1, profile.Clients).Select(i => new SimClient(i))];
    }

    public SimProfile Profile => profile;

    public SimResult Run()
    {
        if (ran)
        {
            throw new InvalidOperationException("a simulation runs once");
        }

        ran = true;
        string? failure = null;
        try
        {
            Start();
            while (!done)
            {
                Step();
            }

            applyChecker.CheckAcknowledged();
        }
        catch (SimulationFailureException e)
        {
            failure = e.Message;
        }
        catch (Exception e)
        {
            failure = string.Create(
                CultureInfo.InvariantCulture,
                $"[exception] t={queue.Now}ms: {e.GetType().Name}: {e.Message} {FirstFrame(e)}");
        }

        Log(failure is null ? "PASSED" : "FAILED " + failure);
        if (failure is not null)
        {
            foreach (var line in ClusterState())
            {
                Log("  " + line);
            }
        }

        return new SimResult
        {
            Seed = options.Seed,
            Nodes = options.Nodes,
            Passed = failure is null,
            Failure = failure,
            TraceHash = trace.Value,
            Events = events,
            Elections = logChecker.Elections,
            Commits = logChecker.CommittedIndex,
            ReadsChecked = applyChecker.ReadsChecked,
            Crashes = crashes,
            Proposals = proposals,
            Acknowledged = applyChecker.Acknowledged.Count,
            MessagesSent = network.Sent,
            Truncations = nodes.Sum(n => n.Durable.Truncations),
            Compactions = compactions,
            MembershipChanges = membershipChanges,
            SnapshotChunks = network.SnapshotChunks,
            SnapshotsInstalled = applyChecker.SnapshotsInstalled,
            VirtualTimeMs = queue.Now,
        };
    }

    private SimNode Node(long id) => nodes[id - 1];

    private void Start()
    {
        Log("profile: " + profile.Describe());
        foreach (var node in nodes)
        {
            Restart(node);
        }

        foreach (var client in clients)
        {
            queue.Schedule(rng.Next(profile.ClientMinMs, profile.ClientMaxMs + 1), new SimEvent(SimEventKind.ClientOp, 0, 0, client.Id, null));
        }

        if (profile.AnyFault)
        {
            queue.Schedule(rng.NextInt64(profile.FaultMinMs, profile.FaultMaxMs + 1), new SimEvent(SimEventKind.Fault, 0, 0, 0, null));
        }

        queue.Schedule(profile.SafetyMs, new SimEvent(SimEventKind.BeginLiveness, 0, 0, 0, null));
    }

    private void Step()
    {
        if (!queue.TryNext(out var e))
        {
            Fail("stall", "the event queue ran dry");
        }

        if (++events > MaxEvents)
        {
            Fail("runaway", $"more than {MaxEvents} events");
        }

        TraceEvent(e);
        if (e.Kind is SimEventKind.Tick or SimEventKind.Deliver or SimEventKind.Unreachable or SimEventKind.SnapshotFailed && Node(e.Node) is { } target &&
            target.IsUp && target.IsPaused(queue.Now))
        {
            queue.Schedule(target.PausedUntil - queue.Now, e); // handled, in arrival order, when the stall ends
            return;
        }

        switch (e.Kind)
        {
            case SimEventKind.Tick:
                OnTick(e);
                break;
            case SimEventKind.Deliver:
                OnDeliver(e);
                break;
            case SimEventKind.ClientOp:
                OnClientOp(e);
                break;
            case SimEventKind.Fault:
                OnFault();
                break;
            case SimEventKind.Restart:
                Restart(Node(e.Node));
                break;
            case SimEventKind.Crash:
                OnPlannedCrash(e);
                break;
            case SimEventKind.Heal:
                OnHeal(e);
                break;
            case SimEventKind.Unreachable:
                OnUnreachable(e);
                break;
            case SimEventKind.SnapshotFailed:
                OnSnapshotFailed(e);
                break;
            case SimEventKind.BeginLiveness:
                BeginLiveness();
                break;
            case SimEventKind.LivenessCheck:
                OnLivenessCheck();
                break;
            default:
                Fail("internal", $"unknown event kind {e.Kind}");
                break;
        }
    }

    private void OnTick(SimEvent e)
    {
        var node = Node(e.Node);
        if (!node.IsUp || node.Incarnation != e.Generation)
        {
            return; // a tick of a dead incarnation: its chain ends here
        }

        node.Running.Tick();
        AfterInput(node);
        if (node.IsUp && node.Incarnation == e.Generation)
        {
            queue.Schedule(node.TickIntervalMs, e);
        }
    }

    private void OnDeliver(SimEvent e)
    {
        var m = e.Message!;
        var node = Node(m.To);
        if (!node.IsUp || network.IsBlocked(m.From, m.To))
        {
            // the transport may notice, and tell the sender
            if (rng.NextDouble() < 0.1)
            {
                var kind = m is InstallSnapshotRequest ? SimEventKind.SnapshotFailed : SimEventKind.Unreachable;
                queue.Schedule(rng.Next(1, 50), new SimEvent(kind, m.From, 0, m.To, null));
            }

            return;
        }

        node.Running.Step(m);
        AfterInput(node);
    }

    private void OnUnreachable(SimEvent e)
    {
        var node = Node(e.Node);
        if (node.IsUp)
        {
            node.Running.ReportUnreachable(e.Arg);
            AfterInput(node);
        }
    }

    private void OnSnapshotFailed(SimEvent e)
    {
        var node = Node(e.Node);
        if (node.IsUp)
        {
            node.Running.ReportSnapshot(e.Arg, SnapshotStatus.Failure);
            AfterInput(node);
        }
    }

    /// <summary>Handle every Ready the input produced, check the node, then let the host compact (and check again).</summary>
    private void AfterInput(SimNode node)
    {
        ProcessReadys(node);
        Observe(node);
        if (MaybeCompact(node))
        {
            Observe(node);
        }
    }

    /// <summary>
    /// The host loop: persist (durably if MustSync), send, apply, answer reads, Advance. A crash may strike
    /// after the persist step or after the send step, before Advance.
    /// </summary>
    private void ProcessReadys(SimNode node)
    {
        var raft = node.Running;
        var rounds = 0;
        while (raft.HasReady())
        {
            if (++rounds > 10_000)
            {
                Fail("ready-loop", $"node {node.Id} term {raft.Term} still has a Ready after {rounds} rounds");
            }

            var ready = raft.Ready();
            CheckMustSync(node, ready);
            trace.Add(ready.Entries.Count, ready.Messages.Count, ready.CommittedEntries.Count);
            trace.Add(ready.Snapshot?.Index ?? 0);
            node.Persist(ready, ready.Snapshot is { } received ? ChainOf(node, received) : 0);
            if (MaybeCrashMidReady(node, "after persisting a Ready, before sending"))
            {
                return;
            }

            foreach (var m in ready.Messages)
            {
                if (m.From != node.Id || m.To < 1 || m.To > nodes.Length)
                {
                    Fail("message", $"node {node.Id} sent a {m.GetType().Name} from {m.From} to {m.To}: wrong sender or no such node");
                }

                network.Send(m);
            }

            if (MaybeCrashMidReady(node, "after sending a Ready, before applying"))
            {
                return;
            }

            if (ready.Snapshot is { } snapshot)
            {
                applyChecker.OnRestore(node, snapshot, installed: true); // the state machine first, then what follows
            }

            foreach (var entry in ready.CommittedEntries)
            {
                applyChecker.OnApply(node, entry);
            }

            foreach (var read in ready.ReadStates)
            {
                applyChecker.OnReadState(node, read);
            }

            raft.Advance(ready);
        }
    }

    /// <summary>The chain hash a snapshot's data carries: the log prefix it replaces, as its taker's log had it.</summary>
    private ulong ChainOf(SimNode node, Snapshot snapshot) =>
        SimSnapshot.Decode(snapshot.Data.Span)?.Chain
        ?? throw new SimulationFailureException(string.Create(
            CultureInfo.InvariantCulture,
            $"[snapshot-data] t={queue.Now}ms: node {node.Id} was handed a snapshot at {snapshot.Index} whose {snapshot.Data.Length} bytes are not what any node wrote"));

    /// <summary>A term, vote or entry change must be durable before the messages that depend on it leave.</summary>
    private void CheckMustSync(SimNode node, Ready ready)
    {
        var before = node.Live.HardState;
        var termOrVote = ready.HardState is { } hs && (hs.Term != before.Term || hs.Vote != before.Vote);
        if ((termOrVote || ready.Entries.Count > 0) && !ready.MustSync)
        {
            Fail(
                "must-sync",
                $"node {node.Id} term {node.Running.Term}: Ready changes term/vote ({before.Term}/{before.Vote} -> " +
                $"{ready.HardState?.Term}/{ready.HardState?.Vote}) or has {ready.Entries.Count} entries but MustSync is false");
        }
    }

    private bool MaybeCrashMidReady(SimNode node, string where)
    {
        if (liveness || profile.MidReadyCrashRate <= 0 || rng.NextDouble() >= profile.MidReadyCrashRate)
        {
            return false;
        }

        Crash(node, where);
        ScheduleRestart(node);
        return true;
    }

    /// <summary>Check a node after an input: everything if it runs, log matching if its stored log changed.</summary>
    private void Observe(SimNode node)
    {
        if (node.IsUp)
        {
            var raft = node.Running;
            var wasLeaderTerm = node.LeaderTerm;
            logChecker.Observe(node);
            CheckAppliedState(node, raft);
            trace.Add(raft.Term, raft.CommitIndex, (raft.LastIndex << 3) | (long)raft.Role);
            if (node.LeaderTerm != 0 && node.LeaderTerm != wasLeaderTerm)
            {
                Log($"node {node.Id} is leader of term {node.LeaderTerm} (last index {raft.LastIndex}, commit {raft.CommitIndex})");
                MaybeCrashNewLeader(node);
            }
        }

        if (node.LogDirty)
        {
            logChecker.CheckLogMatching(node);
        }
    }

    private void Crash(SimNode node, string why)
    {
        crashes++;
        trace.Add(-1, node.Id, node.Incarnation);
        var term = node.Running.Term;
        node.Crash();
        Log($"crash node {node.Id} (term {term}, {why}); durable last index {node.Durable.LastIndex} term {node.Durable.HardState.Term}");
    }

    private void ScheduleRestart(SimNode node)
    {
        var maxDown = profile.Storm ? profile.MaxElectionMs : rng.NextDouble() < 0.2 ? 5_000 : 3 * profile.MaxElectionMs;
        queue.Schedule(rng.NextInt64(1, maxDown + 1), new SimEvent(SimEventKind.Restart, node.Id, node.Incarnation, 0, null));
    }

    private void Restart(SimNode node)
    {
        if (node.IsUp || node.Decommissioned)
        {
            return;
        }

        node.Start(profile.RaftOptions(node.Id, new Random(rng.Next())));
        if (node.Live.Snapshot is { } snapshot)
        {
            applyChecker.OnRestore(node, snapshot, installed: false); // the host restores its state machine first
        }

        trace.Add(-2, node.Id, node.Incarnation);
        if (queue.Now > 0)
        {
            Log($"restart node {node.Id} from durable last index {node.Live.LastIndex} term {node.Live.HardState.Term} commit {node.Live.HardState.Commit}");
        }

        queue.Schedule(node.TickPhaseMs, new SimEvent(SimEventKind.Tick, node.Id, node.Incarnation, 0, null));
        AfterInput(node);
    }

    /// <summary>The running leader with the highest term, if any.</summary>
    private SimNode? CurrentLeader()
    {
        SimNode? best = null;
        foreach (var n in nodes)
        {
            if (n.IsUp && n.Running.Role == Role.Leader && (best is null || n.Running.Term > best.Running.Term))
            {
                best = n;
            }
        }

        return best;
    }

    private IEnumerable<string> ClusterState()
    {
        yield return $"t={queue.Now}ms network: {network.Describe()}";
        foreach (var n in nodes)
        {
            if (n.Raft is { } r)
            {
                yield return $"node {n.Id}: {r.Role} term {r.Term} vote {r.Vote} leader {r.Leader} commit {r.CommitIndex} applied {n.Applied} first {r.FirstIndex} last {r.LastIndex} snapshot {n.Live.Snapshot?.Index ?? 0} {r.Configuration}";
            }
            else
            {
                yield return $"node {n.Id}: down; durable term {n.Durable.HardState.Term} commit {n.Durable.HardState.Commit} last {n.Durable.LastIndex}";
            }
        }
    }

    private void Log(string line)
    {
        log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"[{queue.Now,7}ms] {line}"));
    }

    [DoesNotReturn]
    private void Fail(string property, string detail) =>
        throw new SimulationFailureException(string.Create(CultureInfo.InvariantCulture, $"[{property}] t={queue.Now}ms: {detail}"));

    private static string FirstFrame(Exception e)
    {
        var stack = e.StackTrace ?? string.Empty;
        var line = stack.Split('\n').FirstOrDefault(l => l.Contains("OrleansRaft", StringComparison.Ordinal)) ?? stack.Split('\n')[0];
        return line.Trim();
    }
}
