namespace OrleansRaft.Raft;

/// <summary>
/// A linearizable read became safe: once the host has applied up to <see cref="Index"/> it may answer
/// the read identified by <see cref="RequestId"/> from its state machine (thesis §6.4).
/// </summary>
public readonly record struct ReadState(long RequestId, long Index);
