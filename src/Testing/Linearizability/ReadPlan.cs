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

    /// <summary>The index of the first piece at <paramref name="at"/> or later.</summary>
    public int FirstPieceFrom(int at)
    {
        int low = 0, high = Pieces.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (Pieces[mid].At < at)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    public static ReadPlan For(KvOperation read, IReadOnlyList<KvOperation> ops, AppendPieces appendPieces)
    {
        var value = read.Output;
        List<int> puts = [], deletes = [];
        for (var i = 0; i < ops.Count; i++)
        {
            if (ops[i].Kind == KvOperationKind.Put && value is not null && value.StartsWith(ops[i].Input!, StringComparison.Ordinal))
            {
                puts.Add(i);
            }
            else if (ops[i].Kind == KvOperationKind.Delete)
            {
                deletes.Add(i);
            }
        }

        var pieces = value is null ? [] : appendPieces.Find(value);
        if (deletes.Count > 0 && value is not null && !AppendPieces.CanBuild(value, pieces, appendPieces.EmptyAppends.Count > 0))
        {
            deletes.Clear();
        }

        return new ReadPlan(value, puts, deletes, value is null ? [] : appendPieces.EmptyAppends, pieces);
    }
}
