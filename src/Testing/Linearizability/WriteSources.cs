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
        List<KvOperation> list = [.. writes];
        var appendPieces = new AppendPieces(list);
        var puts = list.Where(w => w.Kind == KvOperationKind.Put && value.StartsWith(w.Input!, StringComparison.Ordinal)).Select(w => w.Input!.Length);
        return AppendPieces.CanBuild(value, appendPieces.Find(value), appendPieces.EmptyAppends.Count > 0, puts);
    }

    /// <summary>Whether removing <paramref name="write"/> can change <see cref="CanProduce"/> for <paramref name="value"/>.</summary>
    public static bool Touches(KvOperation write, string value) => write.Kind switch
    {
        KvOperationKind.Put => value.StartsWith(write.Input!, StringComparison.Ordinal),
        KvOperationKind.Append => value.Contains(write.Input!, StringComparison.Ordinal),
        _ => false,
    };
}
