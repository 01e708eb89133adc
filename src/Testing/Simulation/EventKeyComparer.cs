namespace OrleansRaft.Testing.Simulation;

/// <summary>Orders events by virtual time, then by scheduling order, so equal times never tie.</summary>
public sealed class EventKeyComparer : IComparer<(long Time, long Sequence)>
{
    public static readonly EventKeyComparer Instance = new();

    public int Compare((long Time, long Sequence) x, (long Time, long Sequence) y)
    {
        var c = x.Time.CompareTo(y.Time);
        return c != 0 ? c : x.Sequence.CompareTo(y.Sequence);
    }
}
