namespace OrleansRaft.Bench.Measurement;

/// <summary>What a closed-loop run measured: only operations that completed inside the measured window count.</summary>
/// <param name="Latencies">Microsecond latencies of successful operations, by kind.</param>
/// <param name="Errors">Failed operations by "kind error".</param>
/// <param name="PerSecond">Successful operations completed in each second of the window.</param>
public sealed record LoadResult(
    TimeSpan Window,
    int Workers,
    IReadOnlyDictionary<string, LatencyHistogram> Latencies,
    IReadOnlyDictionary<string, long> Errors,
    IReadOnlyList<long> PerSecond)
{
    public long Succeeded(string kind) => Latencies.TryGetValue(kind, out var histogram) ? histogram.Count : 0;

    public double Rate(string kind) => Succeeded(kind) / Window.TotalSeconds;

    /// <summary>All successful operations of every kind in one histogram.</summary>
    public LatencyHistogram All()
    {
        var all = new LatencyHistogram();
        foreach (var histogram in Latencies.Values)
        {
            all.Merge(histogram);
        }

        return all;
    }
}
