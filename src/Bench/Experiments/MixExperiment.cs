using OrleansRaft.Bench.Cli;
using OrleansRaft.Bench.Reporting;
using OrleansRaft.Bench.Reporting.Charts;
using OrleansRaft.Bench.Targets;

namespace OrleansRaft.Bench.Experiments;

/// <summary>
/// Throughput and latency by read share: each target comes up once, gets its keys written, then runs a timed
/// window at each read percentage (uniform keys, linearizable Gets, Puts of the same keys).
/// </summary>
public sealed class MixExperiment : IExperiment
{
    private const double Seconds = 5;
    private const double Warmup = 3;
    private const int Keys = 1_000;

    public string Name => "mix";

    public string Summary => "Throughput and latency by read percentage (--reads 0,50,90,100), per target.";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("reads", "0,50,90,100", "Read percentages, comma-separated."),
        new("nodes", "3", "Nodes of each replicated target (single always has one)."),
        .. KvOptions.Specs(Seconds, Warmup, Keys),
    ];

    public async Task<int> RunAsync(ExperimentContext context)
    {
        var options = KvOptions.Parse(context.Arguments, Seconds, Warmup, Keys);
        var reads = context.Arguments.Ints("reads", [0, 50, 90, 100], min: 0).Distinct().ToList();
        if (reads.Any(r => r > 100))
        {
            throw new UsageException("--reads: percentages from 0 to 100");
        }

        var nodes = context.Arguments.Int("nodes", 3, min: 1, max: 15);
        var token = context.Cancellation;
        var report = context.Report;
        KvReport.Header(report, $"mix: {string.Join(", ", reads.Select(r => $"{r}%"))} reads", options);
        var value = new byte[options.ValueBytes];
        Random.Shared.NextBytes(value);
        var keys = KvMix.MakeKeys("key", options.Keys);
        var points = new List<KvMeasurement>();
        var descriptions = new List<string>();
        var failures = new List<string>();
        foreach (var target in options.Targets)
        {
            try
            {
                await using var system = await target.StartAsync(nodes, Path.Combine(context.ResultsDirectory, $"{target.Name}-{(target.Kind == TargetKind.Single ? 1 : nodes)}"), options.SiloArguments, null, context.Log, token);
                descriptions.Add(system.Description);
                using var session = new KvSession(system, options);
                if ((await session.PreloadAsync(keys, value, token)).Errors is { Count: > 0 } preloadErrors)
                {
                    failures.Add($"{system.Name} ×{system.Nodes}: {preloadErrors.Values.Sum()} of {keys.Length:N0} keys not written first ({string.Join(", ", preloadErrors.Select(e => $"{e.Key}: {e.Value}"))}); reads of them count as NotFound");
                }

                foreach (var read in reads)
                {
                    points.Add(await session.MeasureAsync(new KvMix(keys, value, read), "mix", $"{system.Name}: {read}% reads", token));
                }
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                // One target failing leaves the others' figures standing.
                failures.Add($"not measured: {target.Name}: {e.Message.Split('\n')[0]}");
                await context.Log.WriteLineAsync($"bench: {target.Name} failed: {e.Message}");
            }
        }

        KvReport.Systems(report, descriptions, failures);
        KvReport.Table(report, points);
        KvReport.SaveCsv(Path.Combine(context.ResultsDirectory, "mix.csv"), Name, options, points);
        KvReport.SavePercentilesCsv(Path.Combine(context.ResultsDirectory, "mix-percentiles.csv"), points);
        SaveCharts(context.ResultsDirectory, options, points);
        KvReport.Footer(report, points, context.ResultsDirectory, ["report.md", "mix.csv", "mix-percentiles.csv", "mix-throughput.svg", "mix-latency.svg"]);
        return 0;
    }

    private static void SaveCharts(string directory, KvOptions options, List<KvMeasurement> points)
    {
        var colors = KvReport.Colors(options.Targets.Select(t => t.Name));
        var subtitle = KvReport.Subtitle(options);
        var throughput = new LineChart { Title = "mix: throughput by read share", Subtitle = subtitle, XLabel = "reads (% of operations; linearizable)", YLabel = "operations per second" };
        var latency = new LineChart { Title = "mix: latency by read share", Subtitle = subtitle, XLabel = "reads (% of operations; linearizable)", YLabel = "latency of all operations (ms)" };
        foreach (var target in points.Select(p => p.Target).Distinct())
        {
            var mine = points.Where(p => p.Target == target).ToList();
            throughput.Series.Add(new ChartSeries(target, [.. mine.Select(p => ((double)p.ReadPercent, p.Result.All().Count / p.Result.Window.TotalSeconds))], colors(target)));
            latency.Series.Add(new ChartSeries($"{target} p99", [.. mine.Select(p => ((double)p.ReadPercent, p.Result.All().Percentile(99) / 1000.0))], colors(target)));
            latency.Series.Add(new ChartSeries($"{target} p50", [.. mine.Select(p => ((double)p.ReadPercent, p.Result.All().Percentile(50) / 1000.0))], colors(target), Dashed: true));
        }

        throughput.Save(Path.Combine(directory, "mix-throughput.svg"));
        latency.Save(Path.Combine(directory, "mix-latency.svg"));
    }
}
