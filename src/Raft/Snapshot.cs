namespace OrleansRaft.Raft;

/// <summary>
/// A compacted prefix of the log (§7, Figure 12): the state machine as of <see cref="Index"/>, the term of the entry
/// at that index, and the configuration in force there (thesis §5.1: the latest configuration in the prefix, so the
/// membership survives compaction). <see cref="Data"/> is the host's serialized state machine; the core never looks
/// inside it.
/// </summary>
public sealed class Snapshot
{
    public Snapshot(long index, long term, Configuration configuration, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (index < 1 || term < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"a snapshot covers at least entry 1 of term 1 (index {index}, term {term})");
        }

        Index = index;
        Term = term;
        Configuration = configuration;
        Data = data;
    }

    /// <summary>The last index the snapshot replaces (Figure 13's lastIncludedIndex).</summary>
    public long Index { get; }

    /// <summary>The term of the entry at <see cref="Index"/> (lastIncludedTerm).</summary>
    public long Term { get; }

    /// <summary>The configuration in force at <see cref="Index"/>.</summary>
    public Configuration Configuration { get; }

    /// <summary>The state machine's state after applying every entry up to <see cref="Index"/>.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    public override string ToString() => $"snapshot {Index}@{Term} {Configuration} ({Data.Length} bytes)";
}
