namespace OrleansRaft.Raft;

/// <summary>What a leader knows of one follower's log (Figure 2's nextIndex and matchIndex).</summary>
public sealed record FollowerStatus(long MatchIndex, long NextIndex, string State, int Inflight, bool RecentActive);
