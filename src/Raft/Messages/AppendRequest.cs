namespace OrleansRaft.Raft.Messages;

/// <summary>AppendEntries (§5.3). <paramref name="Commit"/> is the leader's commit index.</summary>
public sealed record AppendRequest(long From, long To, long Term, long PrevLogIndex, long PrevLogTerm, LogEntry[] Entries, long Commit)
    : RaftMessage(From, To, Term);
