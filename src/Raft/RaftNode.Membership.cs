using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Raft;

/// <summary>
/// Membership change one server at a time (thesis §4.1): a configuration entry takes effect as soon as it is in a
/// server's log, and the leader appends the next one only once the previous one committed. Learners first: a new
/// server joins as a learner (it gets the log, never votes for itself nor counts toward a quorum) and the host
/// promotes it once caught up (thesis §4.2.1).
/// </summary>
public sealed partial class RaftNode
{
    /// <summary>
    /// Proposes one membership change. Refused unless this node leads, has committed an entry of its term, and
    /// the configuration in force is committed; and refused when the change does not fit the configuration (adding a
    /// member, removing or promoting a stranger, promoting a voter, removing the last voter). Accepted, it is a
    /// configuration entry at <see cref="ProposeResult.Index"/>, in force on each server as soon as it is in its log.
    /// </summary>
    public ProposeResult ProposeMembership(MembershipChange change)
    {
        if (change.NodeId <= None)
        {
            throw new ArgumentOutOfRangeException(nameof(change), change.NodeId, "node ids are positive");
        }

        if (Role != Role.Leader)
        {
            return new ProposeResult(ProposeStatus.NotLeader, 0, Term, Leader);
        }

        if (leadTransferee != None)
        {
            return new ProposeResult(ProposeStatus.TransferInProgress, 0, Term, leadTransferee);
        }

        var status = !CommittedInCurrentTerm ? ProposeStatus.TermNotCommitted
            : configIndex > log.Committed ? ProposeStatus.ChangeInProgress
            : Configuration.Check(change);
        if (status != ProposeStatus.Accepted)
        {
            return new ProposeResult(status, 0, Term, Id);
        }

        var index = log.LastIndex + 1;
        AppendAsLeader([new LogEntry(index, Term, EntryKind.Configuration, Configuration.Apply(change).Encode())]);
        return new ProposeResult(ProposeStatus.Accepted, index, Term, Id);
    }

    /// <summary>
    /// Thesis §4.2.2: a leader that removed itself (or is no longer a voter) manages the group until the new
    /// configuration commits, not counting itself toward majorities; then it steps down, after telling the others
    /// the commit index. It never campaigns again, not being a voter. A voter that holds its whole log is told to
    /// campaign at once (§3.10's TimeoutNow), so the group need not wait out an election timeout for a leader.
    /// </summary>
    private void StepDownIfRemoved()
    {
        if (Role == Role.Leader && !Configuration.IsVoter(Id) && configIndex <= log.Committed)
        {
            BroadcastAppend(sendIfEmpty: true);
            if (Successor() is var successor && successor != None)
            {
                Send(new TimeoutNow(Id, successor, Term));
            }

            BecomeFollower(Term, None);
        }
    }

    /// <summary>The lowest-id voter that is recently active and matches this log to its end, or <see cref="None"/>.</summary>
    private long Successor()
    {
        // Voters are kept in id order.
        foreach (var voter in Configuration.Voters)
        {
            if (voter != Id && progress.TryGetValue(voter, out var pr) && pr.RecentActive && pr.Match == log.LastIndex)
            {
                return voter;
            }
        }

        return None;
    }
}
