namespace OrleansRaft.Raft;

/// <summary>A ReadIndex request waiting for a quorum to confirm heartbeat round <see cref="Round"/>.</summary>
internal readonly record struct PendingRead(long RequestId, long Index, long Round);
