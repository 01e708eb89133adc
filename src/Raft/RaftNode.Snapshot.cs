using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Tracking;

namespace OrleansRaft.Raft;

/// <summary>
/// Log compaction (§7): the leader sends its snapshot to a follower that needs compacted entries, in chunks, one
/// at a time, resuming where the follower says it is; the follower assembles it and hands it to the host to install.
/// </summary>
public sealed partial class RaftNode
{
    private IncomingSnapshot? incoming;

    /// <summary>
    /// The host's transport tells the leader how sending a snapshot to <paramref name="peer"/> went, as etcd's
    /// ReportSnapshot. <see cref="SnapshotStatus.Failure"/> gives the snapshot up: the leader probes again from the
    /// follower's match index and, if the follower still needs one, sends a snapshot afresh (the follower answers
    /// with the offset it holds, so a transfer of the same snapshot resumes). <see cref="SnapshotStatus.Finish"/>
    /// probes from just after the snapshot. Either way the next probe waits for the follower's next heartbeat
    /// response. Chunks are acknowledged in the protocol itself, so a host need not call this at all.
    /// </summary>
    public void ReportSnapshot(long peer, SnapshotStatus status)
    {
        if (Role != Role.Leader || !progress.TryGetValue(peer, out var pr) || pr.State != ProgressState.Snapshot)
        {
            return;
        }

        if (status == SnapshotStatus.Failure)
        {
            pr.AbortSnapshot();
        }

        pr.BecomeProbe();
        pr.ProbeSent = true;
    }

    /// <summary>
    /// Starts sending the stored snapshot to a follower whose next entries are compacted away. Not to a follower
    /// we have not heard from lately: it may be down, and a snapshot is expensive (as etcd).
    /// </summary>
    private bool SendSnapshot(long to, Progress pr)
    {
        if (!pr.RecentActive)
        {
            return false;
        }

        var snapshot = log.Snapshot
            ?? throw new InvalidOperationException($"entries before {log.FirstIndex} are compacted but storage holds no snapshot");
        pr.BecomeSnapshot(snapshot);
        return SendSnapshotChunk(to, pr);
    }

    /// <summary>Sends the chunk at the follower's snapshot offset, unless one is already on its way.</summary>
    private bool SendSnapshotChunk(long to, Progress pr)
    {
        if (pr.ChunkSent || pr.PendingSnapshot is not { } snapshot)
        {
            return false;
        }

        var offset = Math.Clamp(pr.SnapshotOffset, 0, snapshot.Data.Length);
        var length = (int)Math.Min(options.MaxSnapshotChunkBytes, snapshot.Data.Length - offset);
        var done = offset + length == snapshot.Data.Length;
        Send(new InstallSnapshotRequest(
            Id, to, Term, snapshot.Index, snapshot.Term, snapshot.Configuration, offset, snapshot.Data.Slice((int)offset, length), done));
        pr.SnapshotOffset = offset;
        pr.ChunkSent = true;
        pr.ChunkTicks = 0;
        return true;
    }

    /// <summary>A chunk unanswered for an election timeout is presumed lost and sent again.</summary>
    private void TickSnapshotChunks()
    {
        foreach (var (id, pr) in progress)
        {
            if (pr.State == ProgressState.Snapshot && pr.ChunkSent && ++pr.ChunkTicks >= options.ElectionTicks)
            {
                pr.ChunkSent = false;
                SendSnapshotChunk(id, pr);
            }
        }
    }

    private void HandleInstallSnapshotResponse(InstallSnapshotResponse m)
    {
        if (!progress.TryGetValue(m.From, out var pr))
        {
            return;
        }

        pr.RecentActive = true;
        var current = pr.State == ProgressState.Snapshot && pr.PendingSnapshot is { } pending &&
            pending.Index == m.SnapshotIndex && pending.Term == m.SnapshotTerm;
        if (!m.Done)
        {
            // Resume where the follower is, unless this repeats what we already asked for.
            if (current && !(pr.ChunkSent && m.NextOffset == pr.SnapshotOffset))
            {
                pr.SnapshotOffset = m.NextOffset;
                pr.ChunkSent = false;
                SendSnapshotChunk(m.From, pr);
            }

            return;
        }

        // The follower holds everything up to m.Index in agreement with us (its commit index).
        if (m.Index > log.LastIndex)
        {
            return;
        }

        var updated = pr.MaybeUpdate(m.Index);
        if (pr.State == ProgressState.Snapshot)
        {
            if (pr.Match + 1 >= log.FirstIndex)
            {
                pr.BecomeProbe();
                pr.BecomeReplicate();
            }
            else if (current)
            {
                // Installed, but we compacted past it meanwhile: the next append starts a newer snapshot.
                pr.BecomeProbe();
            }
            else
            {
                return; // an answer about an older snapshot; the current transfer goes on
            }
        }
        else if (pr.State == ProgressState.Probe && updated)
        {
            pr.BecomeReplicate();
        }

        if (MaybeCommit())
        {
            BroadcastAppend(sendIfEmpty: true);
        }
        else
        {
            SendAppend(m.From, sendIfEmpty: true);
        }

        while (SendAppend(m.From, sendIfEmpty: false))
        {
        }

        if (m.From == leadTransferee && pr.Match == log.LastIndex)
        {
            Send(new TimeoutNow(Id, m.From, Term));
        }
    }

    /// <summary>Figure 13's receiver: assemble the chunks, and once complete install the snapshot if it is news.</summary>
    private void HandleInstallSnapshot(InstallSnapshotRequest m)
    {
        if (m.SnapshotIndex <= log.Committed)
        {
            // Everything it covers is committed here already (and so agrees with the leader's log, §5.4).
            incoming = null;
            Send(new InstallSnapshotResponse(Id, m.From, Term, m.SnapshotIndex, m.SnapshotTerm, NextOffset: 0, Done: true, Index: log.Committed));
            return;
        }

        if (incoming is null || !incoming.IsFor(m.Term, m.SnapshotIndex, m.SnapshotTerm, m.Configuration))
        {
            // Figure 13 step 2: another snapshot; start afresh (and ask for offset 0 if this chunk is not the first).
            incoming = new IncomingSnapshot(m.Term, m.SnapshotIndex, m.SnapshotTerm, m.Configuration);
        }

        if (m.Offset != incoming.Received)
        {
            // A gap (a chunk was lost) or a chunk we hold already: say where to resume.
            Send(new InstallSnapshotResponse(Id, m.From, Term, m.SnapshotIndex, m.SnapshotTerm, incoming.Received, Done: false, Index: 0));
            return;
        }

        incoming.Append(m.Data.Span);
        if (!m.Done)
        {
            Send(new InstallSnapshotResponse(Id, m.From, Term, m.SnapshotIndex, m.SnapshotTerm, incoming.Received, Done: false, Index: 0));
            return;
        }

        var snapshot = incoming.ToSnapshot();
        incoming = null;
        Restore(snapshot);
        Send(new InstallSnapshotResponse(Id, m.From, Term, m.SnapshotIndex, m.SnapshotTerm, snapshot.Data.Length, Done: true, Index: log.Committed));
    }

    /// <summary>A complete snapshot beyond our commit index: Figure 13 steps 6-8.</summary>
    private void Restore(Snapshot snapshot)
    {
        if (log.MatchTerm(snapshot.Index, snapshot.Term))
        {
            // Step 6: our log holds the snapshot's last entry, so everything up to it matches the leader's log. Keep
            // the entries after it, commit up to it, and apply those entries ourselves: nothing to install.
            log.CommitTo(snapshot.Index);
            return;
        }

        // Steps 7-8: discard the whole log; the host installs the snapshot (Ready.Snapshot) and restores its state
        // machine from it. Its configuration is the one in force now (thesis §5.1).
        log.Restore(snapshot);
        configIndex = snapshot.Index;
        ApplyConfiguration(snapshot.Configuration);
    }
}
