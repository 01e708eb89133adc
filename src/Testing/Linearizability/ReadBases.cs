namespace OrleansRaft.Testing.Linearizability;

/// <summary>
/// A quick proof of illegality that needs no search. In any linearization, a read's value was started by the last
/// Put or Delete before it (or the initial absent key): a base that could start that value. A base is ruled out by
/// any write that must come between it and the read (called after the base returned, returned before the read was
/// called) and would show: a Put or Delete, which would be the last reset instead, or an append whose suffix the
/// value lacks. A read with no base left is a stale read, a lost write or a value from nowhere.
/// </summary>
internal static class ReadBases
{
    /// <summary>The first read, in call order, that no base explains; null when every read has one.</summary>
    public static KvOperation? Unexplained(IReadOnlyList<KvOperation> ops)
    {
        var writes = ops.Where(o => o.Kind != KvOperationKind.Get).ToList();
        var appendPieces = new AppendPieces(ops);
        var producible = new Dictionary<string, bool>(StringComparer.Ordinal); // by value: asked once per Delete
        foreach (var read in ops.Where(o => o.Kind == KvOperationKind.Get).OrderBy(o => o.Call))
        {
            var value = read.Output;
            HashSet<string>? suffixes = null;
            bool Shown(string suffix) => (suffixes ??= Suffixes(value)).Contains(suffix);
            var explained = false;
            foreach (var w in writes)
            {
                var isBase = w.Kind == KvOperationKind.Put
                    ? value is not null && value.StartsWith(w.Input!, StringComparison.Ordinal)
                    : w.Kind == KvOperationKind.Delete && FromNothing(value);
                if (isBase && w.Call <= read.Return && !RuledOut(w.Return, read, writes, w, Shown))
                {
                    explained = true;
                    break;
                }
            }

            // The initial absent key, as if deleted before everything.
            if (!explained && !(FromNothing(value) && !RuledOut(long.MinValue, read, writes, null, Shown)))
            {
                return read;
            }
        }

        return null;

        bool FromNothing(string? value)
        {
            if (value is null)
            {
                return true;
            }

            if (!producible.TryGetValue(value, out var can))
            {
                producible[value] = can = appendPieces.CanBuild(value);
            }

            return can;
        }

        // The suffixes the value contains: found once, when first asked, rather than searched for once per write.
        HashSet<string> Suffixes(string? value)
        {
            var suffixes = new HashSet<string>(StringComparer.Ordinal) { "" };
            if (value is not null)
            {
                foreach (var (_, append, _) in appendPieces.Find(value))
                {
                    suffixes.Add(ops[append].Input!);
                }
            }

            return suffixes;
        }
    }

    private static bool RuledOut(long? baseReturn, KvOperation read, List<KvOperation> writes, KvOperation? baseWrite, Func<string, bool> shown)
    {
        if (baseReturn is not { } after)
        {
            return false; // a base of unknown outcome may have taken effect just before the read
        }

        foreach (var w in writes)
        {
            if (ReferenceEquals(w, baseWrite) || w.Call <= after || !(w.Return < read.Call))
            {
                continue;
            }

            var shows = w.Kind != KvOperationKind.Append || read.Output is null || !shown(w.Input!);
            if (shows)
            {
                return true;
            }
        }

        return false;
    }
}
