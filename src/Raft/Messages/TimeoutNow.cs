namespace OrleansRaft.Raft.Messages;

/// <summary>Tells the target to start an election at once: the last step of a leadership transfer (thesis §3.10).</summary>
public sealed record TimeoutNow(long From, long To, long Term)
    : RaftMessage(From, To, Term);
