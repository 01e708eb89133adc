namespace OrleansRaft.Testing.Linearizability;

/// <summary>
/// Whether a value read could have been made by some writes at all, ignoring time and how often each write
/// applies: a Put of a prefix (or an absent key) followed by appended suffixes. The minimizer keeps every read
/// that had a source in the full history sourced, so that it reports "a stale read" rather than the smaller but
/// less telling "a read of a value nobody wrote".
/// </summary>
internal static class WriteSources
{
    public static bool CanProduce(string value, IEnumerable<KvOperation> writes)
    {
        var puts = new HashSet<string>(StringComparer.Ordinal);
        var suffixes = new HashSet<string>(StringComparer.Ordinal);
        var emptyAppend = false;
        foreach (var w in writes)
        {
            if (w.Kind == KvOperationKind.Put && value.StartsWith(w.Input!, StringComparison.Ordinal))
            {
                puts.Add(w.Input!);
            }
            else if (w.Kind == KvOperationKind.Append && w.Input!.Length == 0)
            {
                emptyAppend = true;
            }
            else if (w.Kind == KvOperationKind.Append && value.Contains(w.Input!, StringComparison.Ordinal))
            {
                suffixes.Add(w.Input!);
            }
        }

        // reached[i]: value[..i] can be the whole value at some point.
        var reached = new bool[value.Length + 1];
        reached[0] = emptyAppend; // "" appended to an absent key
        foreach (var p in puts)
        {
            reached[p.Length] = true;
        }

        foreach (var s in suffixes)
        {
            if (value.StartsWith(s, StringComparison.Ordinal))
            {
                reached[s.Length] = true; // appended to an absent key
            }
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (!reached[i])
            {
                continue;
            }

            var rest = value.AsSpan(i);
            foreach (var s in suffixes)
            {
                if (rest.StartsWith(s, StringComparison.Ordinal))
                {
                    reached[i + s.Length] = true;
                }
            }
        }

        return reached[value.Length];
    }

    /// <summary>Whether removing <paramref name="write"/> can change <see cref="CanProduce"/> for <paramref name="value"/>.</summary>
    public static bool Touches(KvOperation write, string value) => write.Kind switch
    {
        KvOperationKind.Put => value.StartsWith(write.Input!, StringComparison.Ordinal),
        KvOperationKind.Append => value.Contains(write.Input!, StringComparison.Ordinal),
        _ => false,
    };
}
