using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansRaft.Bench.Cli;
using OrleansRaft.Bench.Measurement;
using OrleansRaft.Bench.Reporting;

namespace OrleansRaft.Bench.Experiments;

/// <summary>
/// Checks the measuring tools against exact answers: histogram percentiles, min, max and mean against a sorted
/// array for random data (also after merging); a short closed-loop run; fixed-count runs; and coordinated omission:
/// a fake workload with a known 200 ms stall, which open-loop percentiles must show and closed-loop ones hide.
/// Exits 1 on any mismatch.
/// </summary>
public sealed class SelfTestExperiment : IExperiment
{
    private static readonly double[] Percentiles = [0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100];

    public string Name => "selftest";

    public string Summary => "Verify the latency histogram against sorted arrays and the load generator on a fake workload.";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("seed", "1", "Seed of the random data."),
    ];

    public async Task<int> RunAsync(ExperimentContext context)
    {
        var random = new Random(context.Arguments.Int("seed", 1));
        var failures = new List<string>();
        var table = new MarkdownTable("data", "values", "p50 µs", "p99 µs", "max µs", "result");
        (string Name, Func<long> Next, int Count)[] datasets =
        [
            ("uniform 0..1,000 (exact range)", () => random.NextInt64(0, 1_001), 10_000),
            ("log-uniform 1 µs..60 s", () => (long)Math.Exp(random.NextDouble() * Math.Log(60_000_000)), 100_000),
            ("latency-like: 2 ms + exponential tail", () => 2_000 + (long)(-Math.Log(1 - random.NextDouble()) * 3_000), 200_000),
            ("constant 12,345", () => 12_345, 1_000),
            ("one value", () => 777_777, 1),
            ("huge values up to 2^62", () => random.NextInt64(0, 1L << 62), 10_000),
        ];
        foreach (var (name, next, count) in datasets)
        {
            var values = new long[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = next();
            }

            var whole = new LatencyHistogram();
            var parts = Enumerable.Range(0, 4).Select(_ => new LatencyHistogram()).ToArray();
            for (var i = 0; i < count; i++)
            {
                whole.Record(values[i]);
                parts[i % parts.Length].Record(values[i]);
            }

            var merged = new LatencyHistogram();
            foreach (var part in parts)
            {
                merged.Merge(part);
            }

            Array.Sort(values);
            var before = failures.Count;
            Check($"{name}", whole, values, failures);
            Check($"{name} (merged from 4)", merged, values, failures);
            CheckBuckets(values, failures);
            table.Add(name, Format.Count(count), Format.Count(whole.Percentile(50)), Format.Count(whole.Percentile(99)), Format.Count(whole.Max), failures.Count == before ? "ok" : "MISMATCH");
        }

        CheckEmpty(failures);
        var load = await CheckLoadGeneratorAsync(failures, context.Cancellation);
        table.Add("load generator: 8 workers, 1 s, every 10th op fails", Format.Count(load), "", "", "", failures.Any(f => f.StartsWith("load", StringComparison.Ordinal)) ? "MISMATCH" : "ok");

        var stall = await CheckCoordinatedOmissionAsync(failures, context.Cancellation);
        table.Add("closed loop, 32 workers, 2 s, one 200 ms stall", Format.Count(stall.Closed.Count), Format.Count(stall.Closed.Percentile(50)), Format.Count(stall.Closed.Percentile(99)), Format.Count(stall.Closed.Max), Outcome(failures, "closed loop"));
        table.Add("open loop, 1,000/s, 2 s, one 200 ms stall", Format.Count(stall.Open.Count), Format.Count(stall.Open.Percentile(50)), Format.Count(stall.Open.Percentile(99)), Format.Count(stall.Open.Max), Outcome(failures, "open loop"));
        var counted = await CheckFixedCountAsync(failures, context.Cancellation);
        table.Add("fixed count: 500 closed + 300 open-loop ops", Format.Count(counted), "", "", "", Outcome(failures, "fixed count"));

        context.Report.Line("## selftest");
        context.Report.Line();
        context.Report.Table(table);
        foreach (var failure in failures)
        {
            context.Report.Line($"- MISMATCH {failure}");
        }

        context.Report.Line(failures.Count == 0 ? "selftest: all checks passed" : $"selftest: {failures.Count} checks failed");
        return failures.Count == 0 ? 0 : 1;
    }

    private static string Outcome(List<string> failures, string prefix) =>
        failures.Any(f => f.StartsWith(prefix, StringComparison.Ordinal)) ? "MISMATCH" : "ok";

    /// <summary>
    /// A 200 ms stall 0.8 s into a 2 s window. Open loop at 1,000/s: the 200 slots inside the stall wait 200..0 ms, so
    /// latencies above L are (200 - L) ms / 2 s of all: p99 ≈ 180 ms, p95 ≈ 100 ms, max ≈ 200 ms. Closed loop: only
    /// the 32 operations in flight wait; its p99 stays near 1 ms although the system stopped for 10% of the window.
    /// </summary>
    private static async Task<(LatencyHistogram Closed, LatencyHistogram Open)> CheckCoordinatedOmissionAsync(List<string> failures, CancellationToken cancellationToken)
    {
        async Task<LoadResult> RunAsync(double? rate)
        {
            var stall = new FakeStall();
            var options = new LoadOptions
            {
                Workers = 32, // spare capacity, so the backlog behind the stall drains within a few ms
                Duration = TimeSpan.FromSeconds(2),
                Warmup = TimeSpan.FromMilliseconds(300),
                Rate = rate,
                Label = rate is null ? "selftest closed loop" : "selftest open loop",
                OnWindowStart = () =>
                {
                    stall.Schedule(Stopwatch.GetTimestamp() + Stopwatch.Frequency * 8 / 10, TimeSpan.FromMilliseconds(200));
                    return Task.CompletedTask;
                },
            };
            return await LoadGenerator.RunAsync(options, _ => new StallingWorker(stall), cancellationToken);
        }

        var closed = (await RunAsync(null)).All();
        var openResult = await RunAsync(1_000);
        var open = openResult.All();
        void Expect(bool condition, string what)
        {
            if (!condition)
            {
                failures.Add(what);
            }
        }

        // A loaded machine stretches every 1 ms operation, hence the loose bounds; the stall is 200 ms either way.
        Expect(closed.Percentile(99) < 50_000 && closed.Percentile(99) * 3 < open.Percentile(99), $"closed loop: p99 {closed.Percentile(99)} µs; coordinated omission should hide the stall (< 50 ms, under a third of open loop's)");
        Expect(closed.Max >= 180_000, $"closed loop: max {closed.Max} µs; the stalled operations should take about 200 ms");
        Expect(Math.Abs(open.Count - 2_000) <= 40 && openResult.ErrorCount == 0, $"open loop: {open.Count} operations and errors {string.Join(", ", openResult.Errors.Select(e => $"{e.Key}: {e.Value}"))} for 2 s at 1,000/s");
        Expect(open.Percentile(99) is >= 150_000 and <= 230_000, $"open loop: p99 {open.Percentile(99)} µs, expected about 180 ms");
        Expect(open.Percentile(95) is >= 70_000 and <= 140_000, $"open loop: p95 {open.Percentile(95)} µs, expected about 100 ms");
        Expect(open.Max is >= 185_000 and <= 260_000, $"open loop: max {open.Max} µs, expected about 200 ms");
        Expect(open.Percentile(50) < 50_000, $"open loop: p50 {open.Percentile(50)} µs, expected a few ms");
        return (closed, open);
    }

    /// <summary>A fixed number of operations hands out exactly 0..N-1, once each, and measures them all.</summary>
    private static async Task<long> CheckFixedCountAsync(List<string> failures, CancellationToken cancellationToken)
    {
        long total = 0;
        foreach (var (count, rate) in new (long, double?)[] { (500, null), (300, 1_000) })
        {
            var seen = new ConcurrentDictionary<long, int>();
            var stall = new FakeStall();
            var result = await LoadGenerator.RunAsync(
                new LoadOptions { Workers = 8, Operations = count, Rate = rate, Label = "selftest fixed count" },
                _ => new StallingWorker(stall, seen),
                cancellationToken);
            var mode = rate is null ? "closed" : "open";
            if (result.All().Count != count || seen.Count != count || seen.Keys.Min() != 0 || seen.Keys.Max() != count - 1 || seen.Values.Any(n => n != 1))
            {
                failures.Add($"fixed count ({mode}): {result.All().Count} measured, {seen.Count} distinct operations of {count}");
            }

            // At 1,000/s the 300th slot is due at 0.3 s: the run cannot be shorter.
            if (rate is not null && (result.Window < TimeSpan.FromMilliseconds(295) || result.Window > TimeSpan.FromSeconds(2)))
            {
                failures.Add($"fixed count ({mode}): {result.Window.TotalMilliseconds} ms for 300 slots at 1,000/s");
            }

            total += result.All().Count;
        }

        return total;
    }

    private static void Check(string name, LatencyHistogram histogram, long[] sorted, List<string> failures)
    {
        void Expect(bool condition, string what)
        {
            if (!condition)
            {
                failures.Add($"{name}: {what}");
            }
        }

        var exactMean = sorted.Select(v => (double)v).Sum() / sorted.Length;
        Expect(histogram.Count == sorted.Length, $"count {histogram.Count} != {sorted.Length}");
        Expect(histogram.Min == sorted[0], $"min {histogram.Min} != {sorted[0]}");
        Expect(histogram.Max == sorted[^1], $"max {histogram.Max} != {sorted[^1]}");
        Expect(Math.Abs(histogram.Mean - exactMean) <= Math.Max(1e-9, exactMean * 1e-12), $"mean {histogram.Mean} != {exactMean}");
        foreach (var p in Percentiles)
        {
            var exact = sorted[LatencyHistogram.Rank(p, sorted.Length) - 1];
            var reported = histogram.Percentile(p);
            // The histogram answers with the top of the exact value's bucket, never below the exact value and
            // never more than 1/128 above it; below 256 it is exact.
            var expected = Math.Min(LatencyHistogram.HighestEquivalentValue(exact), sorted[^1]);
            Expect(reported == expected, $"p{p} = {reported}, expected {expected} (exact {exact})");
            Expect(reported >= exact && reported - exact <= exact / 128, $"p{p} = {reported} is not within 1/128 above the exact {exact}");
        }
    }

    private static void CheckBuckets(long[] values, List<string> failures)
    {
        foreach (var value in values.Take(2_000))
        {
            var low = LatencyHistogram.LowestEquivalentValue(value);
            var high = LatencyHistogram.HighestEquivalentValue(value);
            if (low > value || high < value || high - low + 1 > Math.Max(1, value / 128))
            {
                failures.Add($"bucket of {value} is [{low}, {high}]");
                return;
            }
        }
    }

    private static void CheckEmpty(List<string> failures)
    {
        var empty = new LatencyHistogram();
        if (empty.Count != 0 || empty.Min != 0 || empty.Max != 0 || empty.Mean != 0 || empty.Percentile(99) != 0)
        {
            failures.Add("an empty histogram does not answer 0 everywhere");
        }
    }

    private static async Task<long> CheckLoadGeneratorAsync(List<string> failures, CancellationToken cancellationToken)
    {
        var options = new LoadOptions { Workers = 8, Duration = TimeSpan.FromSeconds(1), Warmup = TimeSpan.FromMilliseconds(200), Label = "selftest" };
        var result = await LoadGenerator.RunAsync(options, _ => new FakeWorker(), cancellationToken);
        var ok = result.Succeeded("fake");
        var failed = result.Errors.GetValueOrDefault("fake Boom");
        var total = ok + failed;
        if (ok == 0 || result.Latencies.Count != 1)
        {
            failures.Add($"load generator: {ok} successes, kinds {string.Join(",", result.Latencies.Keys)}");
        }

        // Each worker fails exactly every 10th call; the window cuts each worker's sequence at both ends.
        if (Math.Abs(failed - (total / 10.0)) > options.Workers * 2)
        {
            failures.Add($"load generator: {failed} failures of {total}, expected about {total / 10}");
        }

        if (result.PerSecond.Sum() != ok)
        {
            failures.Add($"load generator: per-second counts add up to {result.PerSecond.Sum()}, not {ok}");
        }

        if (result.Latencies.TryGetValue("fake", out var latency) && latency.Percentile(50) < 900)
        {
            failures.Add($"load generator: median latency {latency.Percentile(50)} µs of a 1 ms operation");
        }

        return total;
    }
}
