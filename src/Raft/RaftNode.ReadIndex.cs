using OrleansRaft.Raft.Tracking;

namespace OrleansRaft.Raft;

public sealed partial class RaftNode
{
    private readonly Queue<PendingRead> pendingReads = new();
    private readonly List<long> readsAwaitingCommit = [];
    private List<ReadState> readStates = [];
    private long readRound;
    private bool readBroadcastPending;

    /// <summary>
    /// Asks for a linearizable read without writing to the log (thesis §6.4): the leader records its commit
    /// index, confirms with a quorum that it is still the leader, and then reports a <see cref="ReadState"/>.
    /// All reads asked for between two Ready batches share one heartbeat round.
    /// </summary>
    public ProposeResult ReadIndex(long requestId)
    {
        if (Role != Role.Leader)
        {
            return new ProposeResult(ProposeStatus.NotLeader, 0, Term, Leader);
        }

        if (!CommittedInCurrentTerm)
        {
            // §6.4 step 1: until its no-op commits, a new leader does not know the commit index.
            readsAwaitingCommit.Add(requestId);
        }
        else
        {
            EnqueueRead(requestId);
        }

        return new ProposeResult(ProposeStatus.Accepted, log.Committed, Term, Id);
    }

    private bool CommittedInCurrentTerm => log.Term(log.Committed) == Term;

    private void EnqueueRead(long requestId)
    {
        if (Configuration.Voters is [var only] && only == Id)
        {
            readStates.Add(new ReadState(requestId, log.Committed));
            return;
        }

        pendingReads.Enqueue(new PendingRead(requestId, log.Committed, readRound + 1));
        readBroadcastPending = true;
    }

    private void ReleaseReadsAwaitingCommit()
    {
        if (readsAwaitingCommit.Count == 0 || !CommittedInCurrentTerm)
        {
            return;
        }

        foreach (var requestId in readsAwaitingCommit)
        {
            EnqueueRead(requestId);
        }

        readsAwaitingCommit.Clear();
    }

    /// <summary>Reads whose heartbeat round a quorum acknowledged are safe to serve (thesis §6.4 step 3).</summary>
    private void ReleaseConfirmedReads()
    {
        while (pendingReads.TryPeek(out var read) && RoundConfirmed(read.Round))
        {
            readStates.Add(new ReadState(read.RequestId, read.Index));
            pendingReads.Dequeue();
        }
    }

    private bool RoundConfirmed(long round) =>
        Configuration.HasQuorum(id => id == Id || (progress.TryGetValue(id, out var p) && p.ReadRoundAcked >= round));

    /// <summary>Starts a heartbeat round for the reads asked for since the last one.</summary>
    private void FlushReadRound()
    {
        if (!readBroadcastPending)
        {
            return;
        }

        readBroadcastPending = false;
        readRound++;
        BroadcastHeartbeat();
    }

    /// <summary>Reads not yet answered are dropped on any change of term or role; the host times them out.</summary>
    private void ResetReads()
    {
        pendingReads.Clear();
        readsAwaitingCommit.Clear();
        readBroadcastPending = false;
        foreach (var pr in progress.Values)
        {
            pr.ReadRoundAcked = 0;
        }
    }
}
