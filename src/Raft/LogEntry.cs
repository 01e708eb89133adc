namespace OrleansRaft.Raft;

/// <summary>One entry of the replicated log.</summary>
public readonly record struct LogEntry(long Index, long Term, EntryKind Kind, ReadOnlyMemory<byte> Data)
{
    /// <summary>Bytes this entry counts for against message and batch size caps.</summary>
    public int Size => Data.Length + 24;
}
