namespace OrleansRaft.Grains.Telemetry;

/// <summary>
/// What a replica's turn loop last published for the gauges: written by the loop after each Ready, read by
/// metric readers on other threads. Each field is read on its own (a gauge is a sample, not a snapshot).
/// </summary>
internal sealed class PublishedState
{
    private long term;
    private int role;
    private long commitIndex;
    private long appliedIndex;
    private long proposalsPending;
    private (long Follower, long Lag)[] followerLags = [];

    public long Term => Volatile.Read(ref term);

    public int Role => Volatile.Read(ref role);

    public long CommitIndex => Volatile.Read(ref commitIndex);

    public long AppliedIndex => Volatile.Read(ref appliedIndex);

    public long ProposalsPending => Volatile.Read(ref proposalsPending);

    public (long Follower, long Lag)[] FollowerLags => Volatile.Read(ref followerLags);

    public void Publish(long term, int role, long commitIndex, long appliedIndex, long proposalsPending)
    {
        Volatile.Write(ref this.term, term);
        Volatile.Write(ref this.role, role);
        Volatile.Write(ref this.commitIndex, commitIndex);
        Volatile.Write(ref this.appliedIndex, appliedIndex);
        Volatile.Write(ref this.proposalsPending, proposalsPending);
    }

    public void PublishFollowerLags((long Follower, long Lag)[] lags) => Volatile.Write(ref followerLags, lags);
}
