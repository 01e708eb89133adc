namespace OrleansRaft.Raft.Messages;

public sealed record VoteResponse(long From, long To, long Term, bool PreVote, bool Granted)
    : RaftMessage(From, To, Term);
