namespace OrleansRaft.Testing.Linearizability;

/// <summary>
/// For one read, the writes that could make its value, found once: the Puts of a prefix of it, the Deletes (when
/// appends alone could build it), and where each append's suffix occurs in it. Whether the value can still be
/// reached then only asks which of them are left.
/// </summary>
internal sealed class ReadPlan
{
    private ReadPlan(string? value, List<int> puts, List<int> deletes, List<int> emptyAppends, List<(int At, int Append, int Length)> pieces)
    {
        Value = value;
        Puts = puts;
        Deletes = deletes;
        EmptyAppends = emptyAppends;
        Pieces = pieces;
    }

    public string? Value { get; }

    /// <summary>Puts whose value starts the read's value.</summary>
    public List<int> Puts { get; }

    /// <summary>Deletes, when the read's value could be built from an absent key (always, for an absent value).</summary>
    public List<int> Deletes { get; }

    public List<int> EmptyAppends { get; }

    /// <summary>Each non-empty append suffix at each place it occurs in the value, by place.</summary>
    public List<(int At, int Append, int Length)> Pieces { get; }

    public static ReadPlan For(KvOperation read, IReadOnlyList<KvOperation> ops, List<KvOperation> appends)
    {
        var value = read.Output;
        List<int> puts = [], deletes = [], emptyAppends = [];
        List<(int At, int Append, int Length)> pieces = [];
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            if (value is null || op.Kind is KvOperationKind.Get or KvOperationKind.Delete)
            {
                continue;
            }

            if (op.Kind == KvOperationKind.Put && value.StartsWith(op.Input!, StringComparison.Ordinal))
            {
                puts.Add(i);
            }
            else if (op.Kind == KvOperationKind.Append && op.Input!.Length == 0)
            {
                emptyAppends.Add(i);
            }
            else if (op.Kind == KvOperationKind.Append)
            {
                var suffix = op.Input!;
                for (var at = value.IndexOf(suffix, StringComparison.Ordinal); at >= 0; at = value.IndexOf(suffix, at + 1, StringComparison.Ordinal))
                {
                    pieces.Add((at, i, suffix.Length));
                }
            }
        }

        pieces.Sort();
        if (value is null || WriteSources.CanProduce(value, appends))
        {
            for (var i = 0; i < ops.Count; i++)
            {
                if (ops[i].Kind == KvOperationKind.Delete)
                {
                    deletes.Add(i);
                }
            }
        }

        return new ReadPlan(value, puts, deletes, emptyAppends, pieces);
    }
}
