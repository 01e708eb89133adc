namespace OrleansRaft.Bench.Measurement;

/// <summary>
/// What a load run measured. Timed closed loop: operations that completed inside the window. Open loop: operations
/// scheduled inside the window, timed from their intended start. Fixed count: every operation.
/// </summary>
/// <param name="Window">The measured window, or the wall time of a fixed-count run (first start to last answer).</param>
/// <param name="Latencies">Microsecond latencies of successful operations, by kind.</param>
/// <param name="Errors">Failed operations by "kind error"; open loop adds "missed" for slots never sent before the window closed.</param>
/// <param name="PerSecond">Successful operations completed in each second of the window.</param>
/// <param name="SendLag">Open loop only: microseconds each operation was sent after its intended start (the generator's own lag
/// plus time waiting for the previous answer on the same connection); null for closed loop.</param>
public sealed record LoadResult(
    TimeSpan Window,
    int Workers,
    IReadOnlyDictionary<string, LatencyHistogram> Latencies,
    IReadOnlyDictionary<string, long> Errors,
    IReadOnlyList<long> PerSecond,
    LatencyHistogram? SendLag = null)
{
    public long Succeeded(string kind) => Latencies.TryGetValue(kind, out var histogram) ? histogram.Count : 0;

    public double Rate(string kind) => Succeeded(kind) / Window.TotalSeconds;

    public long ErrorCount => Errors.Values.Sum();

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
