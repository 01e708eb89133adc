using System.Runtime.InteropServices;

namespace OrleansRaft.Raft.Storage;

/// <summary>
/// What the core has accepted but the host has not yet persisted: the tail of the log, and possibly a snapshot
/// received from the leader that replaces everything before it (then <see cref="Offset"/> is just after it).
/// </summary>
internal sealed class UnstableLog
{
    private readonly List<LogEntry> entries = [];

    public UnstableLog(long offset) => Offset = offset;

    /// <summary>Index of the first unstable entry; everything below it is in storage or in <see cref="Snapshot"/>.</summary>
    public long Offset { get; private set; }

    /// <summary>A snapshot to install, not yet persisted; the entries follow it.</summary>
    public Snapshot? Snapshot { get; private set; }

    public int Count => entries.Count;

    public long? LastIndex => entries.Count > 0 ? Offset + entries.Count - 1 : Snapshot?.Index;

    public bool TryGetTerm(long index, out long term)
    {
        if (index >= Offset && index < Offset + entries.Count)
        {
            term = entries[(int)(index - Offset)].Term;
            return true;
        }

        if (Snapshot is { } snapshot && index == snapshot.Index)
        {
            term = snapshot.Term;
            return true;
        }

        term = 0;
        return false;
    }

    public LogEntry this[long index] => entries[(int)(index - Offset)];

    /// <summary>Appends, replacing any unstable suffix that the new entries overwrite (§5.3).</summary>
    public void TruncateAndAppend(ReadOnlySpan<LogEntry> newEntries)
    {
        var first = newEntries[0].Index;
        if (Snapshot is { } snapshot && first <= snapshot.Index)
        {
            throw new InvalidOperationException($"append at {first} would rewrite the snapshot at {snapshot.Index}");
        }

        if (first == Offset + entries.Count)
        {
            // The common case: a plain append.
        }
        else if (first <= Offset)
        {
            // The new entries replace all that is unstable and part of storage: the host truncates storage.
            Offset = first;
            entries.Clear();
        }
        else
        {
            entries.RemoveRange((int)(first - Offset), entries.Count - (int)(first - Offset));
        }

        entries.AddRange(newEntries);
    }

    /// <summary>Figure 13 step 7: the snapshot replaces the whole log; entries continue right after it.</summary>
    public void Restore(Snapshot snapshot)
    {
        Snapshot = snapshot;
        Offset = snapshot.Index + 1;
        entries.Clear();
    }

    /// <summary>The host persisted up to (index, term): drop what is now stable.</summary>
    public void StableTo(long index, long term)
    {
        // A newer append may have replaced that entry since the Ready was made; then it is not stable yet.
        if (index < Offset || !TryGetTerm(index, out var t) || t != term)
        {
            return;
        }

        entries.RemoveRange(0, (int)(index + 1 - Offset));
        Offset = index + 1;
    }

    /// <summary>The host installed the snapshot at <paramref name="index"/>.</summary>
    public void StableSnapshotTo(long index)
    {
        if (Snapshot is { } snapshot && snapshot.Index == index)
        {
            Snapshot = null;
        }
    }

    /// <summary>A copy of the entries in [low, high) that fit in <paramref name="maxBytes"/>.</summary>
    public LogEntry[] Slice(long low, long high, long maxBytes, bool atLeastOne)
    {
        var range = CollectionsMarshal.AsSpan(entries)[(int)(low - Offset)..(int)(high - Offset)];
        return range[..LogEntrySizes.CountWithin(range, maxBytes, atLeastOne)].ToArray();
    }
}
