using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Tracking;

namespace OrleansRaft.Raft;

public sealed partial class RaftNode
{
    /// <summary>Proposals arrived since the last Ready: send them with the next one, batched.</summary>
    private bool appendPending;

    private void BroadcastAppend(bool sendIfEmpty)
    {
        foreach (var id in progress.Keys)
        {
            if (id != Id)
            {
                // Fill the pipeline: one message per MaxSizePerMessage until the window is full.
                var sent = SendAppend(id, sendIfEmpty);
                while (sent && SendAppend(id, sendIfEmpty: false))
                {
                }
            }
        }
    }

    /// <summary>
    /// Tells the followers a new commit index. One with appends in flight gets no empty append now: its answers
    /// come back to <see cref="HandleAppendResponse"/>, which tells it once the last is in. Otherwise every
    /// acknowledged entry would cost each follower a second, commit-only, message.
    /// </summary>
    private void BroadcastCommit()
    {
        foreach (var (id, pr) in progress)
        {
            if (id != Id)
            {
                var sent = SendAppend(id, sendIfEmpty: pr.State != ProgressState.Replicate || pr.Inflights.Count == 0);
                while (sent && SendAppend(id, sendIfEmpty: false))
                {
                }
            }
        }
    }

    private void BroadcastHeartbeat()
    {
        foreach (var (id, pr) in progress)
        {
            if (id != Id)
            {
                // Never tell a follower to commit beyond what it is known to hold.
                var commit = Math.Min(pr.Match, log.Committed);
                Send(new HeartbeatRequest(Id, id, Term, commit, readRound));
                pr.SentCommit = Math.Max(pr.SentCommit, commit);
            }
        }
    }

    /// <summary>Sends the follower the entries it lacks, if its flow control allows. True if a message went out.</summary>
    private bool SendAppend(long to, bool sendIfEmpty)
    {
        var pr = progress[to];
        if (pr.IsPaused)
        {
            return false;
        }

        var prevIndex = pr.Next - 1;
        if (!log.TryGetTerm(prevIndex, out var prevTerm))
        {
            // The entries this follower needs were compacted away; only a snapshot can bring it up to date (§7).
            return SendSnapshot(to, pr);
        }

        var entries = pr.Next <= log.LastIndex
            ? log.Slice(pr.Next, log.LastIndex + 1, options.MaxSizePerMessage)
            : [];
        if (entries.Length == 0 && !sendIfEmpty)
        {
            return false;
        }

        Send(new AppendRequest(Id, to, Term, prevIndex, prevTerm, entries, log.Committed));
        pr.SentCommit = Math.Max(pr.SentCommit, log.Committed);
        pr.SentEntries(entries.Length > 0 ? entries[^1].Index : prevIndex, entries.Length);
        return true;
    }

    private void HandleAppend(AppendRequest m)
    {
        if (m.PrevLogIndex < log.Committed)
        {
            // Everything up to our commit index matches any leader's log (§5.4): say so, and where we are.
            Send(new AppendResponse(Id, m.From, Term, Success: true, Index: log.Committed, HintIndex: 0, HintTerm: 0));
            return;
        }

        if (log.MaybeAppend(m.PrevLogIndex, m.PrevLogTerm, m.Commit, m.Entries, out var appended) is { } lastNew)
        {
            OnAppended(appended.Span);
            Send(new AppendResponse(Id, m.From, Term, Success: true, Index: lastNew, HintIndex: 0, HintTerm: 0));
            return;
        }

        // §5.3 consistency check failed. Hint the last entry that can still match so the leader skips a whole
        // conflicting term per round trip instead of one entry.
        var (hintIndex, hintTerm) = log.FindConflictByTerm(Math.Min(m.PrevLogIndex, log.LastIndex), m.PrevLogTerm);
        Send(new AppendResponse(Id, m.From, Term, Success: false, Index: m.PrevLogIndex, hintIndex, hintTerm));
    }

    private void HandleHeartbeat(HeartbeatRequest m)
    {
        log.CommitTo(Math.Min(m.Commit, log.LastIndex));
        Send(new HeartbeatResponse(Id, m.From, Term, m.ReadRound));
    }

    private void HandleAppendResponse(AppendResponse m)
    {
        if (!progress.TryGetValue(m.From, out var pr))
        {
            return;
        }

        pr.RecentActive = true;
        if (!m.Success)
        {
            var matchHint = m.HintTerm > 0 ? log.FindConflictByTerm(m.HintIndex, m.HintTerm).Index : m.HintIndex;
            if (pr.MaybeDecreaseTo(m.Index, matchHint))
            {
                if (pr.State == ProgressState.Replicate)
                {
                    pr.BecomeProbe();
                }

                SendAppend(m.From, sendIfEmpty: true);
            }

            return;
        }

        var wasPaused = pr.IsPaused;
        if (m.Index > log.LastIndex || !pr.MaybeUpdate(m.Index))
        {
            return;
        }

        switch (pr.State)
        {
            case ProgressState.Probe:
                pr.BecomeReplicate();
                break;
            case ProgressState.Snapshot when pr.Match + 1 >= log.FirstIndex:
                // It holds what the snapshot would bring (an earlier append got through): abort the snapshot, as etcd.
                pr.BecomeProbe();
                pr.BecomeReplicate();
                break;
            case ProgressState.Replicate:
                pr.Inflights.FreeLE(m.Index);
                break;
        }

        if (MaybeCommit())
        {
            // Let followers learn the new commit index without waiting for the next heartbeat.
            BroadcastCommit();
        }
        else if (wasPaused)
        {
            SendAppend(m.From, sendIfEmpty: true);
        }

        while (SendAppend(m.From, sendIfEmpty: false))
        {
        }

        if (pr.State == ProgressState.Replicate && pr.Inflights.Count == 0 && pr.SentCommit < log.Committed)
        {
            // Its last answer is in: the commit index it was not sent while its appends were in flight.
            SendAppend(m.From, sendIfEmpty: true);
        }

        if (m.From == leadTransferee && pr.Match == log.LastIndex)
        {
            Send(new TimeoutNow(Id, m.From, Term));
        }
    }

    private void HandleHeartbeatResponse(HeartbeatResponse m)
    {
        if (!progress.TryGetValue(m.From, out var pr))
        {
            return;
        }

        pr.RecentActive = true;
        pr.ProbeSent = false;
        if (pr.State == ProgressState.Replicate && pr.Inflights.Full)
        {
            pr.Inflights.FreeFirstOne();
        }

        if (pr.State == ProgressState.Snapshot)
        {
            SendSnapshotChunk(m.From, pr); // heartbeats keep flowing; a chunk reported lost goes out again
        }
        else if (pr.Match < log.LastIndex)
        {
            SendAppend(m.From, sendIfEmpty: true);
        }

        if (m.ReadRound > pr.ReadRoundAcked)
        {
            pr.ReadRoundAcked = m.ReadRound;
            ReleaseConfirmedReads();
        }
    }

    /// <summary>
    /// Advances the commit index to the highest index stored on a quorum, but only when that entry is of the
    /// current term: entries of earlier terms are committed indirectly (§5.4.2, Figure 8).
    /// </summary>
    private bool MaybeCommit()
    {
        var quorumIndex = Configuration.CommittedIndex(matchIndexOf);
        if (quorumIndex <= log.Committed || log.Term(quorumIndex) != Term)
        {
            return false;
        }

        log.CommitTo(quorumIndex);
        ReleaseReadsAwaitingCommit();
        return true;
    }
}
