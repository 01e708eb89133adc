using System.Globalization;
using OrleansRaft.Bench.Measurement;
using OrleansRaft.Bench.Reporting;
using OrleansRaft.Bench.Reporting.Charts;

namespace OrleansRaft.Bench.Experiments;

/// <summary>How the key/value experiments print and save their points: one markdown table, CSV files, percentile charts.</summary>
internal static class KvReport
{
    /// <summary>Where the percentile charts and CSV sample each run's latency distribution.</summary>
    public static readonly double[] DistributionPercentiles = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99];

    public static void Header(Report report, string title, KvOptions options, bool timed = true)
    {
        report.Line($"## {title}");
        report.Line();
        report.Line($"Machine: {MachineInfo.Describe()}");
        report.Line($"Load average before: {MachineInfo.LoadAverage()}");
        report.Line($"Load: {options.Describe(timed)}");
    }

    public static void Systems(Report report, IEnumerable<string> descriptions, IEnumerable<string>? failures = null)
    {
        foreach (var description in descriptions.Distinct())
        {
            report.Line($"- {description}");
        }

        foreach (var failure in failures ?? [])
        {
            report.Line($"- **note**: {failure}");
        }

        report.Line();
    }

    /// <summary>One row per point; <c>other</c> is the share of the cores other jobs used during the window.</summary>
    public static void Table(Report report, IEnumerable<KvMeasurement> points)
    {
        var table = new MarkdownTable("target", "nodes", "reads", "op", "ops/s", "mean ms", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "errors", "CPU µs/op", "other cores");
        foreach (var point in points)
        {
            var all = point.Result.All();
            table.Add(
                point.Target,
                point.Nodes == 0 ? "?" : Format.Count(point.Nodes),
                $"{point.ReadPercent}%",
                point.Phase,
                Format.Count(all.Count / point.Result.Window.TotalSeconds),
                Format.Ms(all.Mean),
                Format.Ms(all.Percentile(50)),
                Format.Ms(all.Percentile(90)),
                Format.Ms(all.Percentile(99)),
                Format.Ms(all.Percentile(99.9)),
                Format.Ms(all.Max),
                Errors(point.Result),
                CpuPerOperation(point),
                point.Cpu is { } cpu ? Format.Fixed(cpu.Other, 2) : "");
        }

        report.Table(table);
        report.Line("CPU µs/op: CPU time of the system under test (its processes and their children: silos, gateway, PostgreSQL; or etcd) per successful operation. It varies less than rates on a shared machine: other jobs slow a run down, they do not make it spend more CPU per operation. other cores: what other processes used meanwhile.");
        report.Line();
    }

    /// <summary>The system's CPU µs per successful operation in the window; empty when it is not the bench's to measure.</summary>
    public static string CpuPerOperation(KvMeasurement point)
    {
        var operations = point.Result.All().Count;
        return point.Cpu is { System: > 0 } cpu && operations > 0
            ? Format.Count(cpu.System * point.Result.Window.TotalSeconds * 1e6 / operations)
            : "";
    }

    public static string Errors(LoadResult result) =>
        result.ErrorCount == 0 ? "0" : $"{Format.Count(result.ErrorCount)} ({string.Join(", ", result.Errors.Select(e => $"{e.Key}: {Format.Count(e.Value)}"))})";

    public static void Footer(Report report, IEnumerable<KvMeasurement> points, string resultsDirectory, IEnumerable<string> files)
    {
        var others = points.Where(p => p.Cpu is not null).Select(p => p.Cpu!.Value.Other).ToList();
        if (others.Count > 0)
        {
            report.Line($"CPU of other processes during the windows: {Format.Fixed(others.Min(), 2)}-{Format.Fixed(others.Max(), 2)} cores of {Environment.ProcessorCount} (well above 0: the machine was shared and the figures are noisy).");
        }

        report.Line($"Load average after: {MachineInfo.LoadAverage()}");
        report.Line($"Files in {Cluster.RepositoryPaths.Display(resultsDirectory)}: {string.Join(", ", files)}");
    }

    public static void SaveCsv(string path, string experiment, KvOptions options, IEnumerable<KvMeasurement> points)
    {
        var csv = new CsvTable("experiment", "target", "nodes", "read_percent", "op", "mode", "rate", "http", "connections", "workers", "operations", "seconds", "ops_per_s",
            "mean_ms", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "errors", "cpu_bench", "cpu_system", "cpu_other", "system_cpu_us_per_op");
        foreach (var point in points)
        {
            var all = point.Result.All();
            csv.Add(experiment, point.Target, point.Nodes, point.ReadPercent, point.Phase, options.Rate is null ? "closed" : "open", options.Rate, point.Http, options.Connections, options.Workers,
                all.Count, point.Result.Window.TotalSeconds, all.Count / point.Result.Window.TotalSeconds,
                all.Mean / 1000, all.Percentile(50) / 1000.0, all.Percentile(90) / 1000.0, all.Percentile(99) / 1000.0, all.Percentile(99.9) / 1000.0, all.Max / 1000.0,
                point.Result.ErrorCount, point.Cpu?.Bench, point.Cpu?.System, point.Cpu?.Other, CpuPerOperation(point).Replace(",", "", StringComparison.Ordinal));
        }

        csv.Save(path);
    }

    /// <summary>Each point's latency distribution at <see cref="DistributionPercentiles"/>, one row per percentile.</summary>
    public static void SavePercentilesCsv(string path, IEnumerable<KvMeasurement> points)
    {
        var csv = new CsvTable("target", "nodes", "read_percent", "op", "percentile", "latency_ms");
        foreach (var point in points)
        {
            var all = point.Result.All();
            foreach (var p in DistributionPercentiles.Where(p => all.Count > 0))
            {
                csv.Add(point.Target, point.Nodes, point.ReadPercent, point.Phase, p, all.Percentile(p) / 1000.0);
            }
        }

        csv.Save(path);
    }

    /// <summary>Latency by percentile (HdrHistogram's plot), one line per point; a color per target, dashes for reads.</summary>
    public static LineChart PercentileChart(string title, string subtitle, IEnumerable<KvMeasurement> points, Func<KvMeasurement, string> name, Func<string, int> color)
    {
        var chart = new LineChart { Title = title, Subtitle = subtitle, XLabel = "percentile (log scale of 1/(1 − p))", YLabel = "latency (ms)", XAxis = AxisKind.Percentile };
        foreach (var point in points)
        {
            var all = point.Result.All();
            if (all.Count == 0)
            {
                continue;
            }

            var curve = DistributionPercentiles.Where(p => p < 100 - (100.0 / all.Count) || p == 0).Select(p => (p, all.Percentile(p) / 1000.0)).ToList();
            chart.Series.Add(new ChartSeries(name(point), curve, color(point.Target), Dashed: point.Phase == "get", Markers: false));
        }

        return chart;
    }

    /// <summary>The subtitle of every chart of a run: cores, load shape, how busy the machine was.</summary>
    public static string Subtitle(KvOptions options) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Environment.ProcessorCount} cores, {(options.Rate is { } r ? $"open loop {r:N0}/s" : "closed loop")}, {options.Connections} conns, HTTP/{options.Http}, load avg {MachineInfo.LoadAverage().Split(' ')[0]}");

    /// <summary>A stable color per target name, in the order targets were given.</summary>
    public static Func<string, int> Colors(IEnumerable<string> targets)
    {
        var order = targets.Distinct().ToList();
        return name => Math.Max(0, order.IndexOf(name));
    }
}
