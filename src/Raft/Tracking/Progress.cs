namespace OrleansRaft.Raft.Tracking;

/// <summary>A leader's view of one follower: Figure 2's nextIndex and matchIndex, plus flow control.</summary>
internal sealed class Progress(long next, int maxInflight)
{
    public long Match { get; set; }

    public long Next { get; set; } = next;

    public ProgressState State { get; private set; } = ProgressState.Probe;

    /// <summary>In probe state: an AppendEntries is out and we wait for its answer or the next heartbeat.</summary>
    public bool ProbeSent { get; set; }

    /// <summary>Heard from since the last CheckQuorum round (thesis §6.2).</summary>
    public bool RecentActive { get; set; }

    /// <summary>The highest commit index sent to this follower, in an AppendEntries or a heartbeat.</summary>
    public long SentCommit { get; set; }

    /// <summary>The highest ReadIndex round this follower confirmed (thesis §6.4).</summary>
    public long ReadRoundAcked { get; set; }

    public Inflights Inflights { get; } = new(maxInflight);

    /// <summary>In snapshot state: the snapshot being sent (kept, so a newer one taken meanwhile does not cut it short).</summary>
    public Snapshot? PendingSnapshot { get; private set; }

    /// <summary>In snapshot state: the offset of the next chunk to send.</summary>
    public long SnapshotOffset { get; set; }

    /// <summary>In snapshot state: a chunk is out and its answer not yet back.</summary>
    public bool ChunkSent { get; set; }

    /// <summary>Ticks since the outstanding chunk went out; after an election timeout it is presumed lost.</summary>
    public int ChunkTicks { get; set; }

    public bool IsPaused => State switch
    {
        ProgressState.Probe => ProbeSent,
        ProgressState.Replicate => Inflights.Full,
        _ => true, // no appends until the snapshot is acknowledged
    };

    /// <summary>
    /// Back to probing. Leaving snapshot state, probing starts after the snapshot when it was delivered (the
    /// follower holds it), else after the match index, as in etcd's tracker.
    /// </summary>
    public void BecomeProbe()
    {
        var afterSnapshot = State == ProgressState.Snapshot && PendingSnapshot is { } snapshot ? snapshot.Index + 1 : 0;
        ResetState(ProgressState.Probe);
        Next = Math.Max(Match + 1, afterSnapshot);
    }

    public void BecomeReplicate()
    {
        ResetState(ProgressState.Replicate);
        Next = Match + 1;
    }

    /// <summary>Starts sending <paramref name="snapshot"/> from its first byte.</summary>
    public void BecomeSnapshot(Snapshot snapshot)
    {
        ResetState(ProgressState.Snapshot);
        PendingSnapshot = snapshot;
        Next = snapshot.Index + 1;
    }

    /// <summary>The snapshot was not delivered: forget it, so that probing restarts after the match index.</summary>
    public void AbortSnapshot() => PendingSnapshot = null;

    /// <summary>An acknowledgement up to <paramref name="index"/>; false when it tells nothing new.</summary>
    public bool MaybeUpdate(long index)
    {
        var updated = false;
        if (Match < index)
        {
            Match = index;
            updated = true;
            ProbeSent = false;
        }

        Next = Math.Max(Next, index + 1);
        return updated;
    }

    /// <summary>
    /// A rejection of the AppendEntries whose previous index was <paramref name="rejected"/>. Moves
    /// <see cref="Next"/> back to just above <paramref name="matchHint"/>; false when the rejection is stale.
    /// </summary>
    public bool MaybeDecreaseTo(long rejected, long matchHint)
    {
        if (State == ProgressState.Snapshot)
        {
            return false; // an answer to an AppendEntries sent before the snapshot: nothing to learn
        }

        if (State == ProgressState.Replicate)
        {
            if (rejected <= Match)
            {
                return false;
            }

            Next = Match + 1;
            return true;
        }

        if (Next - 1 != rejected)
        {
            return false;
        }

        Next = Math.Max(Math.Min(rejected, matchHint + 1), Match + 1);
        ProbeSent = false;
        return true;
    }

    /// <summary>Records that entries up to <paramref name="lastIndex"/> were sent.</summary>
    public void SentEntries(long lastIndex, int count)
    {
        if (State == ProgressState.Replicate)
        {
            if (count > 0)
            {
                Next = lastIndex + 1;
                Inflights.Add(lastIndex);
            }
        }
        else
        {
            ProbeSent = true;
        }
    }

    public FollowerStatus ToStatus(bool isLearner) =>
        new(Match, Next, State.ToString(), Inflights.Count, RecentActive, PendingSnapshot?.Index ?? 0, isLearner) { SnapshotOffset = PendingSnapshot is null ? 0 : SnapshotOffset };

    private void ResetState(ProgressState state)
    {
        State = state;
        ProbeSent = false;
        PendingSnapshot = null;
        SnapshotOffset = 0;
        ChunkSent = false;
        ChunkTicks = 0;
        Inflights.Reset();
    }
}
