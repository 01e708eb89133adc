namespace OrleansRaft.Testing.Browser;

/// <summary>One row (<c>tr[data-node-id]</c>) of the cluster page's silo table; <see cref="Cells"/> as shown.</summary>
public sealed record ClusterPageNode(long Id, string Role, bool Reachable, bool Leader, long? Lag, IReadOnlyList<string> Cells)
{
    public string Cell(int index) => Cells[index];

    public override string ToString() => string.Join(" | ", Cells);
}
