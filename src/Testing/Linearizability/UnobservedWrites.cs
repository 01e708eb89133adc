namespace OrleansRaft.Testing.Linearizability;

/// <summary>
/// Drops, before the search, the unknown-outcome writes no read can have observed. A history is linearizable with
/// such a write exactly when it is without it: if the write took effect, no read saw the value it made before a
/// Put or Delete replaced it, so leaving it out of the linearization changes no read. Most timed-out writes are of
/// this kind, and every one left in multiplies the states the search may have to visit.
/// </summary>
/// <remarks>
/// A read's value is some Put's value (or nothing) followed by appended suffixes. A write counts as observed when
/// it has a place in some such reading of some value read, using the key's writes in any order and as often as
/// needed; a suffix that merely occurs inside a value ("+a11" in "+a112") does not count.
/// </remarks>
internal static class UnobservedWrites
{
    public static List<KvOperation> Drop(List<KvOperation> ops)
    {
        if (!ops.Exists(o => o.Return is null && o.Kind is KvOperationKind.Put or KvOperationKind.Append))
        {
            return ops;
        }

        var observed = new bool[ops.Count];
        var appendPieces = new AppendPieces(ops);
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var read in ops)
        {
            if (read is { Kind: KvOperationKind.Get, Output: { } value } && values.Add(value))
            {
                Observe(ReadPlan.For(read, ops, appendPieces), ops, observed);
            }
        }

        var kept = new List<KvOperation>(ops.Count);
        for (var i = 0; i < ops.Count; i++)
        {
            if (ops[i].Return is not null || ops[i].Kind is KvOperationKind.Get or KvOperationKind.Delete || observed[i])
            {
                kept.Add(ops[i]);
            }
        }

        return kept;
    }

    private static void Observe(ReadPlan plan, List<KvOperation> ops, bool[] observed)
    {
        var value = plan.Value!;
        if (value.Length == 0)
        {
            plan.Puts.ForEach(p => observed[p] = true);
            plan.EmptyAppends.ForEach(a => observed[a] = true);
            return;
        }

        // from[i]: value[..i] can be made; to[i]: value[i..] can be appended.
        var from = new bool[value.Length + 1];
        var to = new bool[value.Length + 1];
        from[0] = true;
        plan.Puts.ForEach(p => from[ops[p].Input!.Length] = true);
        foreach (var (at, _, length) in plan.Pieces)
        {
            from[at + length] |= from[at];
        }

        to[value.Length] = true;
        for (var i = plan.Pieces.Count - 1; i >= 0; i--)
        {
            var (at, _, length) = plan.Pieces[i];
            to[at] |= to[at + length];
        }

        plan.Puts.ForEach(p => observed[p] |= to[ops[p].Input!.Length]);
        foreach (var (at, append, length) in plan.Pieces)
        {
            observed[append] |= from[at] && to[at + length];
        }
    }
}
