using System.Runtime.InteropServices;

namespace OrleansRaft.Raft.Storage;

/// <summary>
/// A log held in memory: what tests and the simulator persist into, and the cache a durable store can keep in
/// front of its disk. Not thread-safe; the owner serializes access.
/// </summary>
public sealed class MemoryStorage : ILogReader
{
    private readonly List<LogEntry> entries = [];
    private long offset = 1; // index of entries[0]
    private long snapshotTerm;

    public HardState HardState { get; private set; } = HardState.Empty;

    public long FirstIndex => offset;

    public long LastIndex => offset + entries.Count - 1;

    public Snapshot? Snapshot { get; private set; }

    public long Term(long index)
    {
        if (index == offset - 1)
        {
            return snapshotTerm;
        }

        if (index < offset || index > LastIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"log holds [{offset}, {LastIndex}]");
        }

        return entries[(int)(index - offset)].Term;
    }

    public IReadOnlyList<LogEntry> Entries(long low, long high, long maxBytes)
    {
        if (low < offset || high > LastIndex + 1 || low > high)
        {
            throw new ArgumentOutOfRangeException(nameof(low), $"[{low}, {high}) is outside [{offset}, {LastIndex + 1})");
        }

        var range = CollectionsMarshal.AsSpan(entries)[(int)(low - offset)..(int)(high - offset)];
        return range[..LogEntrySizes.CountWithin(range, maxBytes, atLeastOne: true)].ToArray();
    }

    public void SetHardState(HardState state) => HardState = state;

    /// <summary>Appends entries, first deleting any stored suffix from the first new index on (§5.3).</summary>
    public void Append(IReadOnlyList<LogEntry> newEntries)
    {
        if (newEntries.Count == 0)
        {
            return;
        }

        var first = newEntries[0].Index;
        if (first < offset || first > LastIndex + 1)
        {
            throw new InvalidOperationException($"append at {first} leaves a gap or rewrites the compacted prefix [.., {offset})");
        }

        entries.RemoveRange((int)(first - offset), (int)(LastIndex + 1 - first));
        if (newEntries is LogEntry[] array)
        {
            entries.AddRange(array);
        }
        else
        {
            for (var i = 0; i < newEntries.Count; i++)
            {
                entries.Add(newEntries[i]);
            }
        }
    }

    /// <summary>
    /// Records a snapshot the host took of its state machine at <paramref name="index"/> (at most its applied index)
    /// with the <paramref name="configuration"/> in force there; the entries stay until <see cref="Compact"/>.
    /// </summary>
    public Snapshot CreateSnapshot(long index, Configuration configuration, ReadOnlyMemory<byte> data)
    {
        if (Snapshot is { } current && index <= current.Index)
        {
            throw new InvalidOperationException($"a snapshot at {index} is not newer than the stored one at {current.Index}");
        }

        if (index < offset - 1 || index > LastIndex)
        {
            throw new InvalidOperationException($"cannot snapshot at {index}: the log holds [{offset}, {LastIndex}]");
        }

        Snapshot = new Snapshot(index, Term(index), configuration, data);
        return Snapshot;
    }

    /// <summary>
    /// Drops every entry up to and including <paramref name="index"/> (log compaction, §7). The stored snapshot
    /// must cover them: take one with <see cref="CreateSnapshot"/> first.
    /// </summary>
    public void Compact(long index)
    {
        if (index < offset)
        {
            return;
        }

        if (index > LastIndex)
        {
            throw new InvalidOperationException($"cannot compact to {index} beyond last index {LastIndex}");
        }

        if (Snapshot is null || index > Snapshot.Index)
        {
            throw new InvalidOperationException($"cannot compact to {index}: no snapshot covers it (newest: {Snapshot?.Index ?? 0})");
        }

        snapshotTerm = Term(index);
        entries.RemoveRange(0, (int)(index + 1 - offset));
        offset = index + 1;
    }

    /// <summary>
    /// Installs a snapshot received from the leader (<see cref="Ready.Snapshot"/>): the whole log is replaced by it,
    /// so the log is empty and continues at <c>snapshot.Index + 1</c> (Figure 13 step 7).
    /// </summary>
    public void ApplySnapshot(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (Snapshot is { } current && snapshot.Index <= current.Index)
        {
            throw new InvalidOperationException($"snapshot at {snapshot.Index} is not newer than the stored one at {current.Index}");
        }

        entries.Clear();
        offset = snapshot.Index + 1;
        snapshotTerm = snapshot.Term;
        Snapshot = snapshot;
    }

    /// <summary>A deep copy, as a crash-and-restart sees the durable state.</summary>
    public MemoryStorage Clone()
    {
        var copy = new MemoryStorage { offset = offset, snapshotTerm = snapshotTerm, HardState = HardState, Snapshot = Snapshot };
        copy.entries.AddRange(entries);
        return copy;
    }
}
