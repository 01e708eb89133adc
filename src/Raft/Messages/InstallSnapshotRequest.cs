namespace OrleansRaft.Raft.Messages;

/// <summary>
/// InstallSnapshot (§7, Figure 13): one chunk of the leader's snapshot. <paramref name="Offset"/> is where
/// <paramref name="Data"/> goes in the snapshot's bytes and <paramref name="Done"/> marks the last chunk. Every chunk
/// repeats the snapshot's metadata (<paramref name="SnapshotIndex"/>, <paramref name="SnapshotTerm"/> and the
/// <paramref name="Configuration"/> in force there), so any chunk tells the follower which snapshot it belongs to.
/// </summary>
public sealed record InstallSnapshotRequest(
    long From,
    long To,
    long Term,
    long SnapshotIndex,
    long SnapshotTerm,
    Configuration Configuration,
    long Offset,
    ReadOnlyMemory<byte> Data,
    bool Done)
    : RaftMessage(From, To, Term);
