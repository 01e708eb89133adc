namespace OrleansRaft.Raft.Messages;

/// <summary>
/// The answer to an <see cref="AppendRequest"/>. On success <paramref name="Index"/> is the last index the
/// follower now holds in agreement with the leader. On rejection <paramref name="Index"/> echoes the rejected
/// PrevLogIndex and (<paramref name="HintIndex"/>, <paramref name="HintTerm"/>) is the follower's last entry
/// at or below it whose term is at most PrevLogTerm, so the leader can skip a whole term per round trip.
/// </summary>
public sealed record AppendResponse(long From, long To, long Term, bool Success, long Index, long HintIndex, long HintTerm)
    : RaftMessage(From, To, Term);
