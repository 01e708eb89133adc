namespace OrleansRaft.Raft.Messages;

/// <summary>
/// A leader's keep-alive. <paramref name="Commit"/> never exceeds what the follower is known to hold.
/// <paramref name="ReadRound"/> numbers the ReadIndex round this heartbeat confirms (thesis §6.4).
/// </summary>
public sealed record HeartbeatRequest(long From, long To, long Term, long Commit, long ReadRound)
    : RaftMessage(From, To, Term);
