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

    public bool IsPaused => State switch
    {
        ProgressState.Probe => ProbeSent,
        _ => Inflights.Full,
    };

    public void BecomeProbe()
    {
        State = ProgressState.Probe;
        Next = Match + 1;
        ProbeSent = false;
        Inflights.Reset();
    }

    public void BecomeReplicate()
    {
        State = ProgressState.Replicate;
        Next = Match + 1;
        ProbeSent = false;
        Inflights.Reset();
    }

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

    public FollowerStatus ToStatus() => new(Match, Next, State.ToString(), Inflights.Count, RecentActive);
}
