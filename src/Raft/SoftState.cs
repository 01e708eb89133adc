namespace OrleansRaft.Raft;

/// <summary>Volatile state the host may want to observe; never persisted.</summary>
public readonly record struct SoftState(long Leader, Role Role);
