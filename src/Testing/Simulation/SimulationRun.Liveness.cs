using OrleansRaft.Raft;

namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// The liveness phase: once faults stop, the network heals and every node is back, the cluster must within a
/// bounded virtual time agree on one leader, commit a final proposal, and have every node apply up to the
/// leader's commit index.
/// </summary>
public sealed partial class SimulationRun
{
    private bool liveness;
    private long livenessDeadline;
    private Proposal? finalProposal;
    private string livenessWait = "nothing checked yet";

    private void BeginLiveness()
    {
        liveness = true;
        network.Heal();
        network.MakeReliable(Math.Min(profile.MaxDelayMs, 20));
        foreach (var node in nodes)
        {
            node.PausedUntil = 0;
            Restart(node);
        }

        livenessDeadline = queue.Now + profile.LivenessBudgetMs + CatchUpAllowanceMs();
        Log($"liveness phase: healed, network reliable (FIFO links), crashed nodes restarted; deadline t={livenessDeadline}ms");

        queue.Schedule(profile.TickMs, new SimEvent(SimEventKind.LivenessCheck, 0, 0, 0, null));
    }

    private void OnLivenessCheck()
    {
        var wait = Converge();
        if (wait is null)
        {
            done = true;
            Log($"converged: leader agreed, final proposal at index {finalProposal!.Index} term {finalProposal.Term} applied everywhere");
            return;
        }

        livenessWait = wait;
        if (queue.Now >= livenessDeadline)
        {
            Fail("liveness", $"no convergence by t={livenessDeadline}ms ({profile.SafetyMs}ms + budget) after faults stopped: {livenessWait}");
        }

        queue.Schedule(profile.TickMs, new SimEvent(SimEventKind.LivenessCheck, 0, 0, 0, null));
    }

    /// <summary>
    /// Null once converged; otherwise what the cluster is still waiting for. The operator shuts down every server that
    /// the committed configuration left out (unless the newest leader's configuration brings it back), so a removed
    /// server that missed its removal, or a deposed leader nobody talks to any more, is not waited for; and it starts
    /// every member of the newest leader's configuration that is down (thesis §4.2.2).
    /// </summary>
    private string? Converge()
    {
        Decommission();
        SimNode? leader = null;
        foreach (var n in nodes)
        {
            if (n.IsUp && n.Running.Role == Role.Leader)
            {
                if (leader is not null)
                {
                    return $"two leaders: node {leader.Id} (term {leader.Running.Term}) and node {n.Id} (term {n.Running.Term})";
                }

                leader = n;
            }
        }

        if (leader is null)
        {
            return "no leader";
        }

        var members = leader.Running.Configuration;
        foreach (var n in nodes.Where(n => members.Contains(n.Id) && !n.IsUp))
        {
            n.Decommissioned = false;
            Restart(n);
            return $"member {n.Id} was down and is restarting";
        }

        if (!members.IsVoter(leader.Id))
        {
            return $"leader {leader.Id} (term {leader.Running.Term}) is removing itself: {members}";
        }

        foreach (var n in nodes.Where(n => members.Contains(n.Id)))
        {
            if (n.Running.Leader != leader.Id)
            {
                return $"node {n.Id} (term {n.Running.Term}) follows {n.Running.Leader}, not leader {leader.Id} (term {leader.Running.Term})";
            }
        }

        if (finalProposal is null || FinalLost(finalProposal, leader))
        {
            if (Propose(null, leader, 1, out finalProposal))
            {
                Log($"final proposal to leader {leader.Id} at index {finalProposal!.Index} term {finalProposal.Term}");
            }

            AfterInput(leader);
            return $"final proposal just sent to leader {leader.Id}";
        }

        if (!finalProposal.Acknowledged)
        {
            return $"final proposal at index {finalProposal.Index} term {finalProposal.Term} not yet applied by node {finalProposal.Node}";
        }

        var commit = leader.Running.CommitIndex;
        foreach (var n in nodes.Where(n => members.Contains(n.Id)))
        {
            if (n.Applied < commit)
            {
                return $"node {n.Id} applied {n.Applied} of leader {leader.Id}'s commit index {commit}";
            }
        }

        return null;
    }

    /// <summary>
    /// Time for the most lagging node to catch up, on top of the fixed budget: flow control lets at most
    /// MaxInflightMessages messages of MaxSizePerMessage bytes (at least one entry each; our entries are at most
    /// 88 bytes) travel per round trip, so with small caps a long backlog needs time proportional to its length.
    /// Counted twice over for slack. A node behind a compacted log also needs a snapshot, one chunk per round trip,
    /// maybe twice (the leader may compact again while it is sent).
    /// </summary>
    private long CatchUpAllowanceMs()
    {
        var last = nodes.Max(n => n.Live.LastIndex);
        var lag = last - nodes.Min(n => n.Applied);
        var perMessage = Math.Max(1, profile.MaxSizePerMessage / 88);
        var roundTripMs = (2 * network.MaxDelayMs) + (profile.HeartbeatTicks * profile.TickMs);
        var chunks = profile.Compaction ? 1 + ((32 + profile.SnapshotPadding) / profile.MaxSnapshotChunkBytes) : 0;
        return (2 * lag * roundTripMs / (profile.MaxInflightMessages * perMessage)) + (4 * chunks * roundTripMs);
    }

    private void Decommission()
    {
        var committed = logChecker.CommittedConfigurationAt(logChecker.CommittedIndex);
        var newest = CurrentLeader()?.Running.Configuration;
        foreach (var n in nodes)
        {
            if (n.IsUp && !committed.Contains(n.Id) && newest?.Contains(n.Id) != true)
            {
                Crash(n, $"decommissioned: not a member of the committed configuration {committed}");
                n.Decommissioned = true;
                Observe(n);
            }
        }
    }

    /// <summary>The final proposal cannot be acknowledged any more: its node crashed, applied something else there, or lost the lead.</summary>
    private bool FinalLost(Proposal p, SimNode leader)
    {
        var node = Node(p.Node);
        return !p.Acknowledged &&
            (node.Incarnation != p.Incarnation || node.Applied >= p.Index || node != leader || leader.Running.Term != p.Term);
    }
}
