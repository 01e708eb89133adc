using OrleansRaft.Raft;

namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// Membership change during faults (thesis §4.1): the leader is asked to add a spare or a removed server (mostly
/// as a learner), promote a learner, or remove a server, one at a time; removals always leave a majority of the
/// founders among the voters. Removed servers keep running in the safety phase (they must not disrupt the group);
/// in the liveness phase the operator shuts them down and starts every member.
/// </summary>
public sealed partial class SimulationRun
{
    private long membershipChanges;

    private void ChangeMembership()
    {
        var leader = CurrentLeader();
        if (leader is null || leader.IsPaused(queue.Now))
        {
            return;
        }

        var raft = leader.Running;
        var configuration = raft.Configuration;
        var founders = configuration.Voters.Count(id => id <= profile.Nodes);
        var choices = new List<MembershipChange>();
        foreach (var node in nodes)
        {
            var id = node.Id;
            if (!configuration.Contains(id))
            {
                choices.Add(rng.NextDouble() < 0.2 ? MembershipChange.AddVoter(id) : MembershipChange.AddLearner(id));
            }
            else if (configuration.IsLearner(id))
            {
                // Mostly once caught up, as a host would; sometimes not, which costs availability, never safety.
                var caughtUp = raft.Status().Followers.TryGetValue(id, out var f) && f.MatchIndex + 5 >= raft.CommitIndex;
                if (caughtUp || rng.NextDouble() < 0.3)
                {
                    choices.Add(MembershipChange.PromoteLearner(id));
                }

                choices.Add(MembershipChange.RemoveNode(id));
            }
            else if (id > profile.Nodes || founders - 1 > profile.Nodes / 2)
            {
                choices.Add(MembershipChange.RemoveNode(id)); // the leader itself included
            }
        }

        if (choices.Count == 0)
        {
            return;
        }

        var change = choices[rng.Next(choices.Count)];

        // What the leader must know before it appends a configuration, read from its stored log: the configuration in
        // force is committed (thesis §4.1), and so is an entry of its own term (the fix posted to the Raft list).
        var mayChange = raft.TryGetTerm(raft.CommitIndex, out var term) && term == raft.Term &&
            leader.Live.ConfigurationIndex <= raft.CommitIndex;
        var result = raft.ProposeMembership(change);
        trace.Add(-8, (long)change.Kind, change.NodeId);
        trace.Add((long)result.Status, result.Index);
        Log($"leader {leader.Id} (term {raft.Term}) asked to {change}: {result.Status}{(result.Accepted ? $" at index {result.Index}" : string.Empty)}");
        if (result.Accepted)
        {
            if (!mayChange)
            {
                Fail(
                    "membership-premature",
                    $"leader {leader.Id} term {raft.Term} accepted {change} with commit index {raft.CommitIndex} (term {term}) and its last " +
                    $"configuration at {leader.Live.ConfigurationIndex}");
            }

            membershipChanges++;
            Node(change.NodeId).Decommissioned = false;

            // One at a time: a second change before the first commits must be refused.
            var second = raft.ProposeMembership(MembershipChange.AddLearner(long.MaxValue));
            if (second.Status != ProposeStatus.ChangeInProgress)
            {
                Fail(
                    "membership-one-at-a-time",
                    $"leader {leader.Id} term {raft.Term} answered {second.Status} to a second change while {change} at {result.Index} is uncommitted");
            }
        }

        AfterInput(leader);
    }
}
