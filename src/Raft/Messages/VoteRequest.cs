namespace OrleansRaft.Raft.Messages;

/// <summary>
/// RequestVote (§5.2). With <paramref name="PreVote"/> it asks "would you vote for me at
/// <paramref name="Term"/>?" without anyone changing term (thesis §9.6). <paramref name="Transfer"/> marks an
/// election started by TimeoutNow, which voters honour even while they still hear from a leader (thesis §3.10).
/// </summary>
public sealed record VoteRequest(long From, long To, long Term, long LastLogIndex, long LastLogTerm, bool PreVote, bool Transfer)
    : RaftMessage(From, To, Term);
