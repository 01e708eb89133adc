using System.Globalization;
using OrleansRaft.Bench.Cli;
using OrleansRaft.Bench.Reporting;
using OrleansRaft.Bench.Reporting.Charts;
using OrleansRaft.Bench.Targets;

namespace OrleansRaft.Bench.Experiments;

/// <summary>
/// Write and read throughput and latency by cluster size: for each size, each target comes up with that many
/// nodes, gets its keys written once, then a timed window of Puts and one of linearizable Gets. Sizes run in
/// order with the targets interleaved, so a burst of load on the shared machine hits them alike.
/// </summary>
public sealed class ScaleExperiment : IExperiment
{
    private const double Seconds = 5;
    private const double Warmup = 3;
    private const int Keys = 1_000;

    public string Name => "scale";

    public string Summary => "Write and read throughput and p50/p99 latency for each cluster size (--nodes 3,5,7,9,11), per target.";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("nodes", "3,5,7,9,11", "Cluster sizes, comma-separated (single runs once, with one node)."),
        .. KvOptions.Specs(Seconds, Warmup, Keys),
    ];

    public async Task<int> RunAsync(ExperimentContext context)
    {
        var options = KvOptions.Parse(context.Arguments, Seconds, Warmup, Keys);
        var sizes = context.Arguments.Ints("nodes", [3, 5, 7, 9, 11], min: 1).Distinct().ToList();
        var token = context.Cancellation;
        var report = context.Report;
        KvReport.Header(report, $"scale: {string.Join(", ", sizes)} nodes", options);
        var value = new byte[options.ValueBytes];
        Random.Shared.NextBytes(value);
        var keys = KvMix.MakeKeys("key", options.Keys);
        var points = new List<KvMeasurement>();
        var descriptions = new List<string>();
        var failures = new List<string>();
        foreach (var size in sizes)
        {
            foreach (var target in options.Targets)
            {
                // One node is one node: the baseline and a fixed external etcd run once.
                if ((target.Kind == TargetKind.Single || target.Kind == TargetKind.ExternalEtcd) && size != sizes[0])
                {
                    continue;
                }

                var nodes = target.Kind == TargetKind.Single ? 1 : size;
                try
                {
                    await using var system = await target.StartAsync(nodes, Path.Combine(context.ResultsDirectory, $"{target.Name}-{nodes}"), options.SiloArguments, null, context.Log, token);
                    descriptions.Add(system.Description);
                    using var session = new KvSession(system, options);
                    if ((await session.PreloadAsync(keys, value, token)).Errors is { Count: > 0 } preloadErrors)
                {
                    failures.Add($"{system.Name} ×{system.Nodes}: {preloadErrors.Values.Sum()} of {keys.Length:N0} keys not written first ({string.Join(", ", preloadErrors.Select(e => $"{e.Key}: {e.Value}"))}); reads of them count as NotFound");
                }

                    points.Add(await session.MeasureAsync(new KvMix(keys, value, 0), "put", $"{system.Name} ×{system.Nodes}: writes", token));
                    points.Add(await session.MeasureAsync(new KvMix(keys, value, 100), "get", $"{system.Name} ×{system.Nodes}: reads", token));
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException)
                {
                    // A size the machine cannot bring up is a result too; the other sizes still run.
                    failures.Add($"not measured: {target.Name} with {nodes} nodes: {e.Message.Split('\n')[0]}");
                    await context.Log.WriteLineAsync($"bench: {target.Name} ×{nodes} failed: {e.Message}");
                }
            }
        }

        KvReport.Systems(report, descriptions, failures);
        SizeTable(report, points);
        KvReport.Table(report, points);
        KvReport.SaveCsv(Path.Combine(context.ResultsDirectory, "scale.csv"), Name, options, points);
        KvReport.SavePercentilesCsv(Path.Combine(context.ResultsDirectory, "scale-percentiles.csv"), points);
        SaveCharts(context.ResultsDirectory, options, points);
        KvReport.Footer(report, points, context.ResultsDirectory, ["report.md", "scale.csv", "scale-percentiles.csv", "scale-throughput.svg", "scale-write-latency.svg", "scale-read-latency.svg"]);
        return 0;
    }

    /// <summary>One row per size: each target's writes/s and reads/s side by side.</summary>
    private static void SizeTable(Report report, List<KvMeasurement> points)
    {
        var targets = points.Select(p => p.Target).Distinct().ToList();
        var table = new MarkdownTable(["nodes", .. targets.SelectMany(t => new[] { $"{t} writes/s", "p99 ms", $"{t} reads/s", "p99 ms" })]);
        foreach (var nodes in points.Select(p => p.Nodes).Distinct().Order())
        {
            var row = new List<string> { nodes == 0 ? "?" : Format.Count(nodes) };
            foreach (var target in targets)
            {
                foreach (var phase in new[] { "put", "get" })
                {
                    var point = points.FirstOrDefault(p => p.Target == target && p.Nodes == nodes && p.Phase == phase);
                    var all = point?.Result.All();
                    row.Add(point is null ? "" : Format.Count(all!.Count / point.Result.Window.TotalSeconds));
                    row.Add(point is null ? "" : Format.Ms(all!.Percentile(99)));
                }
            }

            table.Add([.. row]);
        }

        report.Table(table);
    }

    private static void SaveCharts(string directory, KvOptions options, List<KvMeasurement> points)
    {
        var colors = KvReport.Colors(options.Targets.Select(t => t.Name));
        var subtitle = KvReport.Subtitle(options);
        static string Nodes(double n) => n == 1 ? "1 node" : $"{n.ToString(CultureInfo.InvariantCulture)} nodes";
        var charted = points.Where(p => p.Nodes > 0).ToList();
        var throughput = new LineChart { Title = "scale: throughput by cluster size", Subtitle = subtitle, XLabel = "cluster size", YLabel = "operations per second", XAxis = AxisKind.Category, CategoryLabel = Nodes };
        foreach (var target in charted.Select(p => p.Target).Distinct())
        {
            foreach (var (phase, label) in new[] { ("put", "writes"), ("get", "reads (linearizable)") })
            {
                var curve = charted.Where(p => p.Target == target && p.Phase == phase).Select(p => ((double)p.Nodes, p.Result.All().Count / p.Result.Window.TotalSeconds)).ToList();
                throughput.Series.Add(new ChartSeries($"{target} {label}", curve, colors(target), Dashed: phase == "get"));
            }
        }

        throughput.Save(Path.Combine(directory, "scale-throughput.svg"));
        foreach (var (phase, label) in new[] { ("put", "write"), ("get", "read") })
        {
            var latency = new LineChart { Title = $"scale: {label} latency by cluster size", Subtitle = subtitle, XLabel = "cluster size", YLabel = $"{label} latency (ms)", XAxis = AxisKind.Category, CategoryLabel = Nodes };
            foreach (var target in charted.Select(p => p.Target).Distinct())
            {
                var mine = charted.Where(p => p.Target == target && p.Phase == phase).ToList();
                latency.Series.Add(new ChartSeries($"{target} p99", [.. mine.Select(p => ((double)p.Nodes, p.Result.All().Percentile(99) / 1000.0))], colors(target)));
                latency.Series.Add(new ChartSeries($"{target} p50", [.. mine.Select(p => ((double)p.Nodes, p.Result.All().Percentile(50) / 1000.0))], colors(target), Dashed: true));
            }

            latency.Save(Path.Combine(directory, $"scale-{label}-latency.svg"));
        }
    }
}
