using OrleansRaft.Bench.Cli;
using OrleansRaft.Bench.Reporting;
using OrleansRaft.Bench.Targets;

namespace OrleansRaft.Bench.Experiments;

/// <summary>
/// Bulk load as a user would time it: insert N distinct keys, then read each back (linearizable), through the
/// REST gateway (or etcd's JSON gateway); total wall time and per-operation latency for each target.
/// </summary>
public sealed class LoadExperiment : IExperiment
{
    public string Name => "load";

    public string Summary => "Insert --keys keys, then read them all back: total time and per-operation latency, per target.";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        .. KvOptions.Specs(seconds: 0, warmup: 3).Where(s => s.Name != "seconds"),
        new("nodes", "3", "Nodes of each replicated target (single always has one)."),
    ];

    public async Task<int> RunAsync(ExperimentContext context)
    {
        var options = KvOptions.Parse(context.Arguments, seconds: 1, warmup: 3);
        var nodes = context.Arguments.Int("nodes", 3, min: 1, max: 15);
        var token = context.Cancellation;
        var report = context.Report;
        KvReport.Header(report, $"load: insert {options.Keys:N0} keys, then read them back", options, timed: false);
        report.Line($"Each key is written once, then read once (linearizable), in key order over the workers; {options.Warmup.TotalSeconds:0.#} s of unmeasured writes and reads of other keys first.");
        var value = new byte[options.ValueBytes];
        Random.Shared.NextBytes(value);
        var keys = KvMix.MakeKeys("load", options.Keys);
        var warmKeys = KvMix.MakeKeys("warm", 1000);
        var points = new List<KvMeasurement>();
        var descriptions = new List<string>();
        var failures = new List<string>();
        foreach (var target in options.Targets)
        {
            var directory = Path.Combine(context.ResultsDirectory, $"{target.Name}-{(target.Kind == TargetKind.Single ? 1 : nodes)}");
            try
            {
                await using var system = await target.StartAsync(nodes, directory, options.SiloArguments, null, context.Log, token);
                descriptions.Add(system.Description);
                using var session = new KvSession(system, options);
                await session.WarmUpAsync(new KvMix(warmKeys, value, 0), options.Warmup / 2, token);
                await session.WarmUpAsync(new KvMix(warmKeys, value, 100), options.Warmup / 2, token);
                points.Add(await session.CountAsync(new KvMix(keys, value, 0, Sequential: true), keys.Length, "put", $"{system.Name}: inserting {keys.Length:N0} keys", token));
                points.Add(await session.CountAsync(new KvMix(keys, value, 100, Sequential: true), keys.Length, "get", $"{system.Name}: reading {keys.Length:N0} keys", token));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                // One target failing leaves the others' figures standing.
                failures.Add($"not measured: {target.Name}: {e.Message.Split('\n')[0]}");
                await context.Log.WriteLineAsync($"bench: {target.Name} failed: {e.Message}");
            }
        }

        KvReport.Systems(report, descriptions, failures);
        var table = new MarkdownTable("target", "nodes", "op", "keys", "total s", "ops/s", "mean ms", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "errors", "CPU µs/op", "other cores");
        foreach (var point in points)
        {
            var all = point.Result.All();
            table.Add(point.Target, point.Nodes == 0 ? "?" : Format.Count(point.Nodes), point.Phase, Format.Count(options.Keys), Format.Fixed(point.Result.Window.TotalSeconds, 2),
                Format.Count(all.Count / point.Result.Window.TotalSeconds), Format.Ms(all.Mean), Format.Ms(all.Percentile(50)), Format.Ms(all.Percentile(99)),
                Format.Ms(all.Percentile(99.9)), Format.Ms(all.Max), KvReport.Errors(point.Result), KvReport.CpuPerOperation(point), point.Cpu is { } cpu ? Format.Fixed(cpu.Other, 2) : "");
        }

        report.Table(table);
        foreach (var target in points.Select(p => p.Target).Distinct())
        {
            var total = points.Where(p => p.Target == target).Sum(p => p.Result.Window.TotalSeconds);
            report.Line($"- {target}: {Format.Fixed(total, 2)} s to insert and read back {options.Keys:N0} keys");
        }

        report.Line();
        KvReport.SaveCsv(Path.Combine(context.ResultsDirectory, "load.csv"), Name, options, points);
        KvReport.SavePercentilesCsv(Path.Combine(context.ResultsDirectory, "load-percentiles.csv"), points);
        var colors = KvReport.Colors(options.Targets.Select(t => t.Name));
        KvReport.PercentileChart($"load: latency of {options.Keys:N0} inserts and {options.Keys:N0} reads", KvReport.Subtitle(options), points, p => $"{p.Target} {(p.Phase == "put" ? "insert" : "read")}", colors)
            .Save(Path.Combine(context.ResultsDirectory, "load-latency.svg"));
        KvReport.Footer(report, points, context.ResultsDirectory, ["report.md", "load.csv", "load-percentiles.csv", "load-latency.svg"]);
        return failures.Count > 0 || points.Any(p => p.Result.ErrorCount > 0) ? 1 : 0;
    }
}
