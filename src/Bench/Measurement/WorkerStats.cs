namespace OrleansRaft.Bench.Measurement;

/// <summary>One worker's tallies, kept apart so workers never contend; merged when the run ends.</summary>
internal sealed class WorkerStats
{
    public Dictionary<string, LatencyHistogram> Latencies { get; } = [];

    public Dictionary<string, long> Errors { get; } = [];

    /// <summary>Open loop: how late each operation was sent after its intended start, in µs.</summary>
    public LatencyHistogram SendLag { get; } = new();

    public void Record(OperationResult result, long microseconds)
    {
        if (result.Error is { } error)
        {
            Fail(result.Kind, error);
            return;
        }

        if (!Latencies.TryGetValue(result.Kind, out var histogram))
        {
            Latencies[result.Kind] = histogram = new LatencyHistogram();
        }

        histogram.Record(microseconds);
    }

    public void Fail(string kind, string error, long count = 1)
    {
        var key = $"{kind} {error}";
        Errors[key] = Errors.GetValueOrDefault(key) + count;
    }
}
