namespace OrleansRaft.Testing.Linearizability;

/// <summary>Shrinks one key's illegal history to a small counterexample that its other writes cannot explain away.</summary>
/// <remarks>
/// The result stays illegal with any set of the key's other writes added back (tests check this against trying every
/// order). Removing a read never makes an illegal history legal, so reads are dropped by search: first each read
/// alone with the writes that can matter to it, then chunks (halves, quarters, ... single reads) while what is left
/// is still illegal.
/// Removing a write can, and worse, can make up a failure: dropping a Delete makes a later "absent" read look like a
/// lost write. So writes, latest first, go only when they cannot help explain the reads left: when they cannot have
/// influenced them (called after every read returned; or overwritten by a kept Put or Delete called after they
/// returned and returning before every read was called; or of unknown outcome, so maybe never applied), or when no
/// read left shows a trace of them (a suffix no value read contains, a value no value read starts with) and the rest
/// is still illegal even with the unknown writes dropped so far put back. A write that is the only possible source
/// of a value read is kept all the same, so that the counterexample shows "a stale read" rather than "a read of a
/// value nobody wrote"; a read of a value no combination of the key's writes can make is a counterexample alone.
/// </remarks>
internal sealed class CounterexampleMinimizer
{
    // Counted in search steps rather than seconds so that a failing history always shrinks to the same
    // counterexample; at some millions of steps a second this stays within a few seconds.
    internal const long TotalSteps = 20_000_000;
    internal const long StepsPerCheck = 2_000_000;

    private long spent;

    private bool OutOfSteps => spent >= TotalSteps;

    /// <summary>Shrinks <paramref name="ops"/>; <paramref name="failingRead"/>, when known, fails alone with every write.</summary>
    public static List<KvOperation> Shrink(IReadOnlyList<KvOperation> ops, KvOperation? failingRead = null)
    {
        var current = CallOrder(ops);

        // A read of a value no combination of the key's writes can make fails on its own, whatever else happened.
        var writes = Writes(current).ToList();
        var tried = new HashSet<string>(StringComparer.Ordinal);
        foreach (var get in current)
        {
            if (get is { Kind: KvOperationKind.Get, Output: { } value } && tried.Add(value) && !WriteSources.CanProduce(value, writes))
            {
                return [get];
            }
        }

        var minimizer = new CounterexampleMinimizer();
        return minimizer.DropWrites(minimizer.DropReads(current, failingRead));
    }

    public static List<KvOperation> CallOrder(IEnumerable<KvOperation> ops) =>
        [.. ops.OrderBy(o => o.Call).ThenBy(o => o.Return ?? long.MaxValue).ThenBy(o => o.ClientId)];

    private static IEnumerable<KvOperation> Writes(IEnumerable<KvOperation> ops) =>
        ops.Where(o => o.Kind is KvOperationKind.Put or KvOperationKind.Append);

    private bool StillIllegal(List<KvOperation> candidate, long steps = StepsPerCheck)
    {
        if (ReadBases.Unexplained(candidate) is not null)
        {
            return true;
        }

        var budget = new SearchBudget(SearchBudget.NoDeadline, Math.Min(steps, TotalSteps - spent));
        var outcome = KeySearch.Run(candidate, budget);
        spent += budget.StepsUsed;
        return outcome == SearchOutcome.Illegal;
    }

    private List<KvOperation> DropReads(List<KvOperation> current, KvOperation? failingRead)
    {
        // Most failures need one read: with the writes that can matter to it, a read alone is usually quick to
        // decide, while the chunks below leave many reads and so many orders to rule out. The read the check
        // found failing alone goes first; the others get a tenth of the steps, to leave some for the chunks.
        var writes = current.FindAll(o => o.Kind != KvOperationKind.Get);
        var reads = current.Where(o => o.Kind == KvOperationKind.Get && !ReferenceEquals(o, failingRead));
        foreach (var get in failingRead is null ? reads : reads.Prepend(failingRead))
        {
            if (spent >= TotalSteps / 2)
            {
                break;
            }

            var alone = CallOrder(KeyCheck.Alone(writes, get));
            if (StillIllegal(alone, ReferenceEquals(get, failingRead) ? StepsPerCheck : StepsPerCheck / 10))
            {
                return alone;
            }
        }

        var chunk = Math.Max(1, current.Count(o => o.Kind == KvOperationKind.Get) / 2);
        while (!OutOfSteps)
        {
            var changed = false;
            var gets = current.Where(o => o.Kind == KvOperationKind.Get).ToList();
            for (var start = 0; start < gets.Count && !OutOfSteps; start += chunk)
            {
                var drop = new HashSet<KvOperation>(gets.Skip(start).Take(chunk), ReferenceEqualityComparer.Instance);
                var candidate = current.Where(o => !drop.Contains(o)).ToList();
                if (StillIllegal(candidate))
                {
                    current = candidate;
                    changed = true;
                }
            }

            // Halve the chunk down to single reads, then repeat single reads until none can go.
            if (chunk > 1)
            {
                chunk /= 2;
            }
            else if (!changed)
            {
                break;
            }
        }

        return current;
    }

    private List<KvOperation> DropWrites(List<KvOperation> current)
    {
        var gets = current.Where(o => o.Kind == KvOperationKind.Get).ToList();
        var lastReturn = gets.Count == 0 ? long.MinValue : gets.Max(o => o.Return!.Value);
        var firstCall = gets.Count == 0 ? long.MaxValue : gets.Min(o => o.Call);
        var sourced = gets.Where(g => g.Output is not null && WriteSources.CanProduce(g.Output, Writes(current))).ToList();
        var appends = current.Where(o => o.Kind == KvOperationKind.Append).ToList();
        var builtByAppends = new Dictionary<KvOperation, bool>(ReferenceEqualityComparer.Instance);
        foreach (var g in gets)
        {
            builtByAppends[g] = g.Output is null || WriteSources.CanProduce(g.Output, appends);
        }

        var kept = new HashSet<KvOperation>(current, ReferenceEqualityComparer.Instance);
        var lost = new HashSet<KvOperation>(ReferenceEqualityComparer.Instance); // unknown writes dropped as maybe never applied

        // Latest first: an overwrite that justifies dropping an earlier write is kept by then, and stays kept.
        var overwriteCall = long.MinValue; // latest call of a kept Put or Delete that returned before every read's call
        foreach (var w in current.Where(o => o.Kind != KvOperationKind.Get).OrderByDescending(o => o.Call))
        {
            var afterEveryRead = w.Call > lastReturn;
            var overwritten = w.Return is { } r && r < overwriteCall;
            var mayNeverHappen = w.Return is null;
            if ((afterEveryRead || overwritten || mayNeverHappen) && KeepsSources(w))
            {
                kept.Remove(w);
                if (mayNeverHappen && !afterEveryRead && !overwritten)
                {
                    lost.Add(w);
                }

                continue;
            }

            // A write no read shows can only have been in the way; it goes if the rest is illegal without it even
            // with the unknown writes dropped so far, which might otherwise explain what it was hiding.
            if (!OutOfSteps && gets.TrueForAll(g => Unseen(w, g))
                && StillIllegal(current.FindAll(o => (kept.Contains(o) && !ReferenceEquals(o, w)) || lost.Contains(o))))
            {
                kept.Remove(w);
                continue;
            }

            if (w.Kind is KvOperationKind.Put or KvOperationKind.Delete && w.Return < firstCall)
            {
                overwriteCall = Math.Max(overwriteCall, w.Call);
            }
        }

        return current.FindAll(kept.Contains);

        bool KeepsSources(KvOperation write)
        {
            foreach (var get in sourced)
            {
                if (WriteSources.Touches(write, get.Output!)
                    && !WriteSources.CanProduce(get.Output!, Writes(current).Where(w => !ReferenceEquals(w, write) && kept.Contains(w))))
                {
                    return false;
                }
            }

            return true;
        }

        // Whether the read's value shows no trace of the write: it can only have been in the way.
        bool Unseen(KvOperation write, KvOperation get) => write.Kind switch
        {
            KvOperationKind.Append => get.Output is null || !get.Output.Contains(write.Input!, StringComparison.Ordinal),
            KvOperationKind.Put => get.Output is null || !get.Output.StartsWith(write.Input!, StringComparison.Ordinal),
            _ => !builtByAppends[get],
        };
    }
}
