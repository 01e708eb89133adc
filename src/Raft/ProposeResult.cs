namespace OrleansRaft.Raft;

/// <summary>
/// The answer to <see cref="RaftNode.Propose(ReadOnlyMemory{byte})"/> or <see cref="RaftNode.ReadIndex(long)"/>.
/// For an accepted proposal, <see cref="Index"/> is the log index of its (first) entry and <see cref="Term"/> the
/// term it was proposed in: the command committed iff the entry applied at that index has that term.
/// </summary>
public readonly record struct ProposeResult(ProposeStatus Status, long Index, long Term, long LeaderHint)
{
    public bool Accepted => Status == ProposeStatus.Accepted;
}
