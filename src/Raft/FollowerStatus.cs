namespace OrleansRaft.Raft;

/// <summary>
/// What a leader knows of one follower's log (Figure 2's nextIndex and matchIndex). <see cref="PendingSnapshot"/> is
/// the index of the snapshot being sent to it, 0 when none; <see cref="IsLearner"/> marks a learner (thesis §4.2.1).
/// </summary>
public sealed record FollowerStatus(long MatchIndex, long NextIndex, string State, int Inflight, bool RecentActive, long PendingSnapshot, bool IsLearner)
{
    /// <summary>The byte offset the follower asked for next in <see cref="PendingSnapshot"/>: how far a long transfer got.</summary>
    public long SnapshotOffset { get; init; }
}
