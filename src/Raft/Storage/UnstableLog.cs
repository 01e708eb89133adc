using System.Runtime.InteropServices;

namespace OrleansRaft.Raft.Storage;

/// <summary>Entries the core has accepted but the host has not yet persisted (the tail of the log).</summary>
internal sealed class UnstableLog
{
    private readonly List<LogEntry> entries = [];

    public UnstableLog(long offset) => Offset = offset;

    /// <summary>Index of the first unstable entry; everything below it is in storage.</summary>
    public long Offset { get; private set; }

    public int Count => entries.Count;

    public long? LastIndex => entries.Count == 0 ? null : Offset + entries.Count - 1;

    public bool TryGetTerm(long index, out long term)
    {
        if (index >= Offset && index < Offset + entries.Count)
        {
            term = entries[(int)(index - Offset)].Term;
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

    /// <summary>The host persisted up to (index, term): drop what is now stable.</summary>
    public void StableTo(long index, long term)
    {
        // A newer append may have replaced that entry since the Ready was made; then it is not stable yet.
        if (!TryGetTerm(index, out var t) || t != term)
        {
            return;
        }

        entries.RemoveRange(0, (int)(index + 1 - Offset));
        Offset = index + 1;
    }

    /// <summary>A copy of the entries in [low, high) that fit in <paramref name="maxBytes"/>.</summary>
    public LogEntry[] Slice(long low, long high, long maxBytes, bool atLeastOne)
    {
        var range = CollectionsMarshal.AsSpan(entries)[(int)(low - Offset)..(int)(high - Offset)];
        return range[..LogEntrySizes.CountWithin(range, maxBytes, atLeastOne)].ToArray();
    }
}
