namespace OrleansRaft.Raft.Messages;

/// <summary>
/// The answer to an <see cref="InstallSnapshotRequest"/> for the snapshot (<paramref name="SnapshotIndex"/>,
/// <paramref name="SnapshotTerm"/>). Until <paramref name="Done"/>, <paramref name="NextOffset"/> is the byte the
/// follower expects next: after a lost, duplicated or out-of-order chunk the leader resumes from there, and a
/// follower that already holds a prefix of the same snapshot asks only for the rest. With <paramref name="Done"/> the
/// follower holds the whole snapshot (or had already committed past it) and <paramref name="Index"/> is its commit
/// index: the last index it now holds in agreement with the leader.
/// </summary>
public sealed record InstallSnapshotResponse(long From, long To, long Term, long SnapshotIndex, long SnapshotTerm, long NextOffset, bool Done, long Index)
    : RaftMessage(From, To, Term);
