namespace OrleansRaft.Raft.Storage;

internal static class LogEntrySizes
{
    /// <summary>How many leading entries fit in <paramref name="maxBytes"/> (one at least, if asked and any).</summary>
    public static int CountWithin(ReadOnlySpan<LogEntry> entries, long maxBytes, bool atLeastOne)
    {
        long bytes = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            bytes += entries[i].Size;
            if (bytes > maxBytes && (i > 0 || !atLeastOne))
            {
                return i;
            }
        }

        return entries.Length;
    }

    public static long Sum(IReadOnlyList<LogEntry> entries)
    {
        long bytes = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            bytes += entries[i].Size;
        }

        return bytes;
    }
}
