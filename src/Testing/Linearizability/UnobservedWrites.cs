namespace OrleansRaft.Testing.Linearizability;

/// <summary>
/// Drops, before the search, the unknown-outcome writes no read can have observed. A history is linearizable with
/// such a write exactly when it is without it: if the write took effect, no read saw the value it made before a
/// Put or Delete replaced it, so leaving it out of the linearization changes no read. Most timed-out writes are of
/// this kind, and every one left in doubles the states the search may have to visit.
/// </summary>
internal static class UnobservedWrites
{
    public static List<KvOperation> Drop(List<KvOperation> ops)
    {
        if (!ops.Exists(o => o.Return is null))
        {
            return ops;
        }

        var reads = ops.Where(o => o.Kind == KvOperationKind.Get && o.Output is not null).Select(o => o.Output!)
            .Distinct(StringComparer.Ordinal).ToList();
        return ops.FindAll(o => o.Return is not null || o.Kind switch
        {
            // Every value an append could lead to, until replaced, contains its suffix; a put's starts with its value.
            KvOperationKind.Append => reads.Exists(v => v.Contains(o.Input!, StringComparison.Ordinal)),
            KvOperationKind.Put => reads.Exists(v => v.StartsWith(o.Input!, StringComparison.Ordinal)),
            _ => true,
        });
    }
}
