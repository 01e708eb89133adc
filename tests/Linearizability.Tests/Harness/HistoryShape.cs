namespace OrleansRaft.Linearizability.Tests.Harness;

/// <summary>What <see cref="RandomHistory"/> generates: percentages of each kind add up to 100.</summary>
internal sealed record HistoryShape(int Clients, int Keys, int Operations, double UnknownWrites)
{
    public int GetPercent { get; init; } = 45;

    public int PutPercent { get; init; } = 20;

    public int AppendPercent { get; init; } = 25;

    // The rest are deletes.
    public override string ToString() =>
        $"{Clients} clients, {Keys} keys, {Operations} ops, {UnknownWrites:P0} unknown writes, get/put/append/delete " +
        $"{GetPercent}/{PutPercent}/{AppendPercent}/{100 - GetPercent - PutPercent - AppendPercent}";
}
