using OrleansRaft.Raft;

namespace OrleansRaft.Scenarios.Tests.Harness;

/// <summary>
/// A write a leader acknowledged: its key and value, the entry it took at <see cref="Entry"/>.Index, and
/// <see cref="CommittedBy"/>, a term at or after the one it committed in (the highest term any store held when the
/// acknowledgement was seen), so every leader of a later term must hold it (Leader Completeness).
/// </summary>
public sealed record RaftAcknowledgedWrite(string Key, string Value, LogEntry Entry, long CommittedBy)
{
    public long Index => Entry.Index;
}
