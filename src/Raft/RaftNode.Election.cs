using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Tracking;

namespace OrleansRaft.Raft;

public sealed partial class RaftNode
{
    private void TickElection()
    {
        electionElapsed++;
        if (Promotable && electionElapsed >= randomizedElectionTimeout)
        {
            electionElapsed = 0;
            StartElection(preVote: options.PreVote, transfer: false);
        }
    }

    private void TickLeader()
    {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= options.ElectionTicks)
        {
            electionElapsed = 0;
            if (options.CheckQuorum)
            {
                // Thesis §6.2: a leader cut off from a quorum steps down so clients can find the real one.
                if (!Configuration.HasQuorum(id => id == Id || (progress.TryGetValue(id, out var p) && p.RecentActive)))
                {
                    BecomeFollower(Term, None);
                    return;
                }

                foreach (var (id, pr) in progress)
                {
                    pr.RecentActive = id == Id;
                }
            }

            // A transfer that has not finished within an election timeout is abandoned (thesis §3.10).
            leadTransferee = None;
        }

        if (heartbeatElapsed >= options.HeartbeatTicks)
        {
            heartbeatElapsed = 0;
            BroadcastHeartbeat();
        }

        TickSnapshotChunks();
    }

    private void StartElection(bool preVote, bool transfer)
    {
        if (!Promotable)
        {
            return;
        }

        long electionTerm;
        if (preVote)
        {
            BecomePreCandidate();
            electionTerm = Term + 1; // asked about, not taken: nobody's term changes in a pre-vote
        }
        else
        {
            BecomeCandidate();
            electionTerm = Term;
        }

        if (Poll(Id, granted: true) == VoteOutcome.Won)
        {
            WinElection();
            return;
        }

        foreach (var voter in Configuration.Voters)
        {
            if (voter != Id)
            {
                Send(new VoteRequest(Id, voter, electionTerm, log.LastIndex, log.LastTerm, preVote, transfer));
            }
        }
    }

    private void WinElection()
    {
        if (Role == Role.PreCandidate)
        {
            StartElection(preVote: false, transfer: false);
        }
        else
        {
            BecomeLeader();
        }
    }

    private VoteOutcome Poll(long from, bool granted)
    {
        votes.TryAdd(from, granted);
        if (Configuration.HasQuorum(id => votes.TryGetValue(id, out var v) && v))
        {
            return VoteOutcome.Won;
        }

        return Configuration.HasQuorum(id => !votes.TryGetValue(id, out var v) || v) ? VoteOutcome.Pending : VoteOutcome.Lost;
    }

    private void HandleVoteRequest(VoteRequest m)
    {
        // We may vote again for the one we voted for; we may vote for anyone if we voted for nobody and know
        // no leader; and a pre-vote for a later term binds nobody (thesis §9.6).
        var canVote = Vote == m.From || (Vote == None && Leader == None) || (m.PreVote && m.Term > Term);
        if (canVote && log.IsUpToDate(m.LastLogIndex, m.LastLogTerm))
        {
            Send(new VoteResponse(Id, m.From, m.Term, m.PreVote, Granted: true));
            if (!m.PreVote)
            {
                // The vote is durable before this response leaves: it is in the Ready's hard state (§5.2).
                electionElapsed = 0;
                Vote = m.From;
            }
        }
        else
        {
            Send(new VoteResponse(Id, m.From, Term, m.PreVote, Granted: false));
        }
    }

    private void HandleVoteResponse(VoteResponse m)
    {
        if (m.PreVote != (Role == Role.PreCandidate))
        {
            return; // an answer to an earlier round
        }

        switch (Poll(m.From, m.Granted))
        {
            case VoteOutcome.Won:
                WinElection();
                break;
            case VoteOutcome.Lost:
                BecomeFollower(Term, None);
                break;
        }
    }

    private void BecomeFollower(long term, long leader)
    {
        Reset(term);
        Leader = leader;
        Role = Role.Follower;
    }

    private void BecomePreCandidate()
    {
        // Term and vote stay as they are; only a real election changes them.
        votes.Clear();
        Leader = None;
        Role = Role.PreCandidate;
    }

    private void BecomeCandidate()
    {
        Reset(Term + 1);
        Vote = Id;
        Role = Role.Candidate;
    }

    private void BecomeLeader()
    {
        Reset(Term);
        Leader = Id;
        Role = Role.Leader;
        foreach (var id in Configuration.Members)
        {
            progress[id] = new Progress(log.LastIndex + 1, options.MaxInflightMessages);
        }

        if (progress.TryGetValue(Id, out var self))
        {
            self.MaybeUpdate(log.StableLastIndex);
            self.BecomeReplicate();
            self.RecentActive = true;
        }

        // §5.4.2 / §8: entries of earlier terms commit only once an entry of this term does.
        AppendAsLeader([new LogEntry(log.LastIndex + 1, Term, EntryKind.NoOp, ReadOnlyMemory<byte>.Empty)]);
    }

    private void Reset(long term)
    {
        if (term != Term)
        {
            Term = term;
            Vote = None;
            incoming = null; // chunks of an earlier leader's snapshot will not be continued
        }

        Leader = None;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        randomizedElectionTimeout = random.Next(options.ElectionTicks, options.RandomizedElectionTicksMax);
        leadTransferee = None;
        votes.Clear();
        progress.Clear();
        ResetReads();
        appendPending = false;
    }
}
