namespace OrleansRaft.Raft.Storage;

/// <summary>
/// What the core reads of durable state. The host writes it (after each <see cref="Ready"/>); the core only reads.
/// Indices below <see cref="FirstIndex"/> have been compacted away; <c>Term(FirstIndex - 1)</c> must still answer
/// (0 for an empty log that was never compacted). Every compacted entry is covered by <see cref="Snapshot"/>
/// (§7): whenever <see cref="FirstIndex"/> is above 1, <c>Snapshot.Index &gt;= FirstIndex - 1</c>.
/// </summary>
public interface ILogReader
{
    /// <summary>The hard state as last persisted.</summary>
    HardState HardState { get; }

    /// <summary>The first index still stored; 1 for a log that was never compacted.</summary>
    long FirstIndex { get; }

    /// <summary>The last index stored; <c>FirstIndex - 1</c> when the log holds no entry.</summary>
    long LastIndex { get; }

    /// <summary>
    /// The newest snapshot stored (taken by the host or installed from a leader), or null when there is none yet.
    /// A leader sends it to followers that need compacted entries; on restart the host restores its state machine
    /// from it and the core takes its configuration as the one in force at its index.
    /// </summary>
    Snapshot? Snapshot { get; }

    /// <summary>The term of the entry at <paramref name="index"/>, for FirstIndex - 1 &lt;= index &lt;= LastIndex.</summary>
    long Term(long index);

    /// <summary>
    /// Entries in [<paramref name="low"/>, <paramref name="high"/>), stopping once <paramref name="maxBytes"/> is
    /// passed but always returning at least one entry when the range is not empty.
    /// </summary>
    IReadOnlyList<LogEntry> Entries(long low, long high, long maxBytes);
}
