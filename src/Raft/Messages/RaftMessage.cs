namespace OrleansRaft.Raft.Messages;

/// <summary>A message between two replicas of one group. Every message carries the sender's term (§5.1).</summary>
public abstract record RaftMessage(long From, long To, long Term);
