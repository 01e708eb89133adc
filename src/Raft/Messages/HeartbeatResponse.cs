namespace OrleansRaft.Raft.Messages;

public sealed record HeartbeatResponse(long From, long To, long Term, long ReadRound)
    : RaftMessage(From, To, Term);
