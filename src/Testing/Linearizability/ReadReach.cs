namespace OrleansRaft.Testing.Linearizability;

/// <summary>
/// What <see cref="KeySearch"/> last worked out for one read: from which places in the read's value the rest of it
/// can be made of the appends left, and whether the last state asked about starts the value. A step changes which of
/// a few appends are left, and that changes nothing after their places in the value, so most of it carries over to
/// the next step instead of being worked out again over the whole value (which on an append-only key is as long as
/// the history).
/// </summary>
internal sealed class ReadReach
{
    private readonly int[] appendOps; // the appends with a piece in the value, by index, and each one's last place
    private readonly int[] lastAt;

    public ReadReach(ReadPlan plan)
    {
        var places = plan.Pieces.Select(p => (p.Append, p.At)).ToArray();
        Array.Sort(places);
        var count = 0;
        appendOps = new int[places.Length];
        lastAt = new int[places.Length];
        foreach (var (append, at) in places)
        {
            if (count > 0 && appendOps[count - 1] == append)
            {
                lastAt[count - 1] = at; // sorted by place within each append
            }
            else
            {
                appendOps[count] = append;
                lastAt[count++] = at;
            }
        }

        Array.Resize(ref appendOps, count);
        Array.Resize(ref lastAt, count);
        Finishes = new bool[plan.Value!.Length + 1];
        Finishes[^1] = true;
        ValidFrom = plan.Value.Length;
    }

    /// <summary>Finishes[q]: value[q..] can be made of appends left, as known for every q from <see cref="ValidFrom"/>.</summary>
    public bool[] Finishes { get; }

    public int ValidFrom { get; set; }

    /// <summary>How much of the search's log of appends linearized and undone <see cref="Finishes"/> has seen.</summary>
    public long LogSeen { get; set; }

    /// <summary>The operation being linearized, so not left, when <see cref="Finishes"/> was last brought up to date.</summary>
    public int Lifting { get; set; } = -1;

    /// <summary>The last state asked about (compared by reference), and whether the value starts with it.</summary>
    public string? KnownState { get; set; }

    public bool KnownIsPrefix { get; set; }

    /// <summary>Where the last piece of <paramref name="op"/> in the value starts, or -1 when it has none.</summary>
    public int LastAt(int op)
    {
        var i = Array.BinarySearch(appendOps, op);
        return i >= 0 ? lastAt[i] : -1;
    }
}
