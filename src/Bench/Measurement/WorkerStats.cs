namespace OrleansRaft.Bench.Measurement;

/// <summary>One worker's tallies, kept apart so workers never contend; merged when the run ends.</summary>
internal sealed class WorkerStats
{
    public Dictionary<string, LatencyHistogram> Latencies { get; } = [];

    public Dictionary<string, long> Errors { get; } = [];

    public void Record(OperationResult result, long microseconds)
    {
        if (result.Error is { } error)
        {
            var key = $"{result.Kind} {error}";
            Errors[key] = Errors.GetValueOrDefault(key) + 1;
            return;
        }

        if (!Latencies.TryGetValue(result.Kind, out var histogram))
        {
            Latencies[result.Kind] = histogram = new LatencyHistogram();
        }

        histogram.Record(microseconds);
    }
}
