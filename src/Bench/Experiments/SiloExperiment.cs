using System.Globalization;
using OrleansRaft.Bench.Cli;
using OrleansRaft.Bench.Cluster;
using OrleansRaft.Bench.Measurement;
using OrleansRaft.Bench.Reporting;
using OrleansRaft.Grains;

namespace OrleansRaft.Bench.Experiments;

/// <summary>
/// Closed-loop writes against real silo processes: N silos on PostgreSQL (or in memory), W workers each doing
/// Put → await → Put through <see cref="Grains.Client.KvReplicaClient"/> to the leader, optionally mixed with
/// linearizable Gets. Reports commits/s, latency percentiles, errors by status and where the CPU went.
/// </summary>
public sealed class SiloExperiment : IExperiment
{
    private static readonly double[] Percentiles = [50, 90, 99, 99.9];

    /// <summary>Where the silo processes listen, which silo runs, whether the database stays: shared with <see cref="CatchUpExperiment"/>.</summary>
    internal static OptionSpec[] ProcessOptions { get; } =
    [
        new("base-port", "7001", "Port of silo 1; silo N listens on base-port + N - 1."),
        new("silo-dll", "src/Silo/bin/Release/<tfm>/OrleansRaft.Silo.dll", "The silo to run."),
        new("keep-db", "false", "Keep the PostgreSQL database after the run.", IsFlag: true),
    ];

    public string Name => "silo";

    public string Summary => "Closed-loop Puts (and optional linearizable Gets) through KvReplicaClient to the leader of N silo processes.";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("nodes", "3", "Silo processes (ports base-port..)."),
        new("writers", "64", "Concurrent closed-loop workers."),
        new("seconds", "20", "Measured seconds."),
        new("warmup", "10", "Unmeasured seconds of the same load first: tiered JIT needs several seconds to settle."),
        new("value-bytes", "100", "Bytes of each Put's value."),
        new("keys", "10000", "Keys are drawn uniformly from this many."),
        new("reads", "0", "Percent of operations that are linearizable Gets instead of Puts."),
        new("timeout-ms", "5000", "Deadline of one operation, NotLeader redirects included."),
        new("in-memory", "false", "Run the silos with --in-memory instead of PostgreSQL (isolates the store).", IsFlag: true),
        new("silo-args", "(none)", "Extra silo options in one string, e.g. \"--tick-ms 5 --heartbeat-ms 20\"."),
        new("silo-env", "(none)", "KEY=VALUE for every silo's environment, e.g. DOTNET_gcServer=0; repeatable.", Repeatable: true),
        .. ProcessOptions,
        new("sized-bodies", "false", "Buffer each request so it carries Content-Length (KvReplicaClient streams JSON without one).", IsFlag: true),
        new("timeline-ms", "250", "Sample every silo's status this often: the leader's commits per interval next to the snapshots taken (0: off)."),
        new("perf", "false", "Profile the measured window with perf record -a -g (silos get perf maps); reports in the results folder.", IsFlag: true),
    ];

    public async Task<int> RunAsync(ExperimentContext context)
    {
        var arguments = context.Arguments;
        var nodes = arguments.Int("nodes", 3, min: 1, max: 9);
        var writers = arguments.Int("writers", 64, min: 1, max: 100_000);
        var seconds = arguments.Double("seconds", 20, min: 1);
        var warmup = arguments.Double("warmup", 10, min: 0);
        var valueBytes = arguments.Int("value-bytes", 100, min: 0, max: 16 << 20);
        var keys = arguments.Int("keys", 10_000, min: 1);
        var reads = arguments.Int("reads", 0, min: 0, max: 100);
        var timeout = TimeSpan.FromMilliseconds(arguments.Int("timeout-ms", 5000, min: 1));
        var inMemory = arguments.Flag("in-memory");
        var basePort = arguments.Int("base-port", 7001, min: 1, max: 65_535 - nodes);
        var siloArguments = (arguments.String("silo-args") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var siloEnvironment = ParseEnvironment(arguments.All("silo-env"));
        var timelinePeriod = arguments.Int("timeline-ms", 250, min: 0, max: 60_000);
        var perf = arguments.Flag("perf") ? new PerfRecorder(context.ResultsDirectory, context.Log) : null;
        if (perf is not null)
        {
            foreach (var (key, value) in PerfRecorder.DotnetEnvironment)
            {
                siloEnvironment.TryAdd(key, value);
            }
        }
        var token = context.Cancellation;

        var report = context.Report;
        var store = inMemory ? "in memory" : "PostgreSQL";
        report.Line($"## silo: {nodes} silos on {store}, {writers} workers, {Format.Fixed(seconds, 0)} s after {Format.Fixed(warmup, 0)} s warm-up, {valueBytes}-byte values over {Format.Count(keys)} keys, {reads}% linearizable reads");
        report.Line();
        report.Line($"Machine: {MachineInfo.Describe()}");
        report.Line($"Load average before: {MachineInfo.LoadAverage()}");
        if (arguments.Flag("sized-bodies"))
        {
            report.Line("Client: request bodies buffered and sent with Content-Length (--sized-bodies)");
        }

        if (siloArguments.Length > 0 || siloEnvironment.Count > 0)
        {
            report.Line($"Silo options: {string.Join(' ', siloArguments.Concat(siloEnvironment.Select(e => $"{e.Key}={e.Value}")))}");
        }

        await using var database = inMemory ? null : await PostgresDatabase.CreateAsync("bench_silo", arguments.Flag("keep-db"), context.Log, token);
        await using var cluster = await SiloCluster.StartAsync(
            new SiloClusterOptions
            {
                Nodes = nodes,
                BasePort = basePort,
                PostgresConnectionString = database?.ConnectionString,
                SiloDll = arguments.String("silo-dll") ?? RepositoryPaths.SiloDll,
                ExtraArguments = siloArguments,
                Environment = siloEnvironment,
                SizedRequestBodies = arguments.Flag("sized-bodies"),
                LogDirectory = context.ResultsDirectory,
            },
            context.Log,
            token);
        var leader = await cluster.WaitForLeaderAsync(token);
        await using var monitor = new LeaderMonitor(cluster, TimeSpan.FromMilliseconds(250));
        await using var timeline = timelinePeriod > 0 ? new StatusTimeline(cluster, TimeSpan.FromMilliseconds(timelinePeriod)) : null;
        TimeSpan timelineStart = default, timelineEnd = default;
        var workload = new SiloWorkload(cluster, leader.NodeId, keys, valueBytes, reads, timeout, $"bench-{DateTime.UtcNow:HHmmss}-{Guid.NewGuid().ToString("N")[..6]}");
        CpuSample? cpuStart = null, cpuEnd = null;
        (long Transactions, long Rows)? pgStart = null, pgEnd = null;
        ReplicaStatus? statusStart = null, statusEnd = null;
        TimeSpan windowStart = default, windowEnd = default;
        string? perfReport = null;
        var result = await LoadGenerator.RunAsync(
            new LoadOptions
            {
                Workers = writers,
                Duration = TimeSpan.FromSeconds(seconds),
                Warmup = TimeSpan.FromSeconds(warmup),
                Label = "silo",
                OnWindowStart = async () =>
                {
                    windowStart = monitor.Elapsed;
                    timelineStart = timeline?.Elapsed ?? default;
                    perf?.Start(frequency: 499);
                    cpuStart = CpuSample.Take();
                    pgStart = database is null ? null : await database.StatisticsAsync(token);
                    statusStart = await cluster.TryStatusAsync(workload.Leader, TimeSpan.FromSeconds(1), token);
                },
                OnWindowEnd = async () =>
                {
                    cpuEnd = CpuSample.Take();
                    windowEnd = monitor.Elapsed;
                    timelineEnd = timeline?.Elapsed ?? default;
                    pgEnd = database is null ? null : await database.StatisticsAsync(token);
                    statusEnd = await cluster.TryStatusAsync(statusStart?.Leader ?? workload.Leader, TimeSpan.FromSeconds(1), token);
                    perfReport = perf is null ? null : await perf.StopAsync((pid, thread) => ProcessGroup(cluster, pid, cpuEnd.Processes.TryGetValue(pid, out var p) ? p.Name : thread));
                },
            },
            index => new SiloWorker(workload, index),
            token);

        ReportLatencies(report, result);
        var puts = result.Rate("put");
        report.Line($"**commits/s: {Format.Count(puts)}** (successful Puts per second over {Format.Fixed(seconds, 0)} s)");
        if (statusStart is not null && statusEnd is not null && statusStart.NodeId == statusEnd.NodeId && statusStart.Term == statusEnd.Term)
        {
            var entries = statusEnd.CommitIndex - statusStart.CommitIndex;
            report.Line($"Leader commit index: +{Format.Count(entries)} in the window ({Format.Count(entries / seconds)} entries/s, no-ops and writes finishing after the window included)");
        }

        if (pgStart is { } before && pgEnd is { } after)
        {
            var transactions = after.Transactions - before.Transactions;
            var rows = after.Rows - before.Rows;
            report.Line($"PostgreSQL: {Format.Count(transactions / seconds)} transactions/s, {Format.Count(rows / seconds)} rows inserted/s, {Format.Fixed(rows / (double)Math.Max(1, transactions), 1)} rows per transaction (all {nodes} replicas; pg_stat_database)");
        }

        var perSecond = result.PerSecond.Order().ToArray();
        report.Line($"Per-second ok operations: min {Format.Count(perSecond[0])}, median {Format.Count(perSecond[perSecond.Length / 2])}, max {Format.Count(perSecond[^1])}");
        ReportLeaders(report, leader, monitor.Changes, windowStart, windowEnd, workload.Redirects);
        ReportErrors(report, result);
        if (cpuStart is not null && cpuEnd is not null)
        {
            ReportCpu(report, cluster, statusStart?.Leader ?? leader.NodeId, cpuStart, cpuEnd, result.All().Count);
        }

        if (timeline is not null)
        {
            CommitTimeline.Report(report, cluster, timeline, timelineStart, timelineEnd, TimeSpan.FromMilliseconds(timelinePeriod), Path.Combine(context.ResultsDirectory, "silo-timeline.csv"));
        }

        if (perfReport is not null)
        {
            report.Line($"perf profile of the window: {perfReport}");
        }

        report.Line($"Load average after: {MachineInfo.LoadAverage()}");
        var problems = cluster.ProblemLines();
        report.Line($"Silo logs: {context.ResultsDirectory}/silo-N.log; warning/error lines: {string.Join(", ", problems.Select(p => $"silo {p.Key}: {p.Value}"))}");
        return 0;
    }

    private static void ReportLatencies(Report report, LoadResult result)
    {
        report.Line();
        var table = new MarkdownTable(["op", "ok", "ops/s", .. Percentiles.Select(p => $"p{p.ToString(CultureInfo.InvariantCulture)} ms"), "max ms", "mean ms"]);
        var kinds = result.Latencies.Keys.Order(StringComparer.Ordinal).ToList();
        foreach (var kind in kinds)
        {
            table.Add(Row(kind, result.Latencies[kind], result.Window));
        }

        if (kinds.Count > 1)
        {
            table.Add(Row("all", result.All(), result.Window));
        }

        report.Table(table);
    }

    private static string[] Row(string kind, LatencyHistogram histogram, TimeSpan window) =>
    [
        kind,
        Format.Count(histogram.Count),
        Format.Count(histogram.Count / window.TotalSeconds),
        .. Percentiles.Select(p => Format.Ms(histogram.Percentile(p))),
        Format.Ms(histogram.Max),
        Format.Ms(histogram.Mean),
    ];

    private static void ReportLeaders(Report report, ReplicaStatus first, IReadOnlyList<LeaderChange> changes, TimeSpan windowStart, TimeSpan windowEnd, long redirects)
    {
        // The monitor started after the first leader was found; it reports that leader at about 0 s.
        var later = changes.Where(c => c.Term > first.Term).ToList();
        var inWindow = later.Count(c => c.Elapsed >= windowStart && c.Elapsed <= windowEnd);
        var moves = later.Count == 0
            ? "no leader change during the run"
            : $"{later.Count} leader changes ({inWindow} in the measured window): {string.Join(", ", later.Select(c => $"node {c.Leader} term {c.Term} at {Format.Fixed(c.Elapsed.TotalSeconds, 1)} s"))}; window {Format.Fixed(windowStart.TotalSeconds, 1)}-{Format.Fixed(windowEnd.TotalSeconds, 1)} s";
        report.Line($"Leader: node {first.NodeId} term {first.Term} at the start; {moves}; NotLeader redirects followed: {Format.Count(redirects)}");
    }

    private static void ReportErrors(Report report, LoadResult result)
    {
        if (result.Errors.Count == 0)
        {
            report.Line("Errors: none");
            return;
        }

        report.Line();
        var table = new MarkdownTable("error", "count");
        foreach (var (error, count) in result.Errors)
        {
            table.Add(error, Format.Count(count));
        }

        report.Table(table);
    }

    private static void ReportCpu(Report report, SiloCluster cluster, long leaderId, CpuSample start, CpuSample end, long operations)
    {
        var wall = (end.Timestamp - start.Timestamp) / (double)System.Diagnostics.Stopwatch.Frequency;
        var self = Environment.ProcessId;
        var parts = new List<(string Name, double Seconds)> { ("bench", CpuSample.CpuSeconds(start, end, (pid, _) => pid == self)) };
        foreach (var node in cluster.Nodes)
        {
            var pid = node.ProcessId;
            parts.Add(($"silo {node.NodeId}{(node.NodeId == leaderId ? " (leader)" : "")}", CpuSample.CpuSeconds(start, end, (p, _) => p == pid)));
        }

        parts.Add(("postgres", CpuSample.CpuSeconds(start, end, (_, name) => name == "postgres")));
        var busy = CpuSample.BusySeconds(start, end);
        var ours = parts.Sum(p => p.Seconds);
        parts.Add(("other", Math.Max(0, busy - ours)));
        var cores = CpuSample.TotalSeconds(start, end) / wall;
        report.Line();
        // CPU time per operation holds up better than rates on a shared machine: other jobs slow us, they do not make us spend more.
        var table = new MarkdownTable("process", "cores busy", "CPU µs/op");
        foreach (var (name, used) in parts)
        {
            table.Add(name, Format.Fixed(used / wall, 2), name == "other" ? "" : Format.Count(used * 1e6 / Math.Max(1, operations)));
        }

        table.Add("all (bench, silos, postgres)", Format.Fixed(ours / wall, 2), Format.Count(ours * 1e6 / Math.Max(1, operations)));
        table.Add($"machine ({Format.Fixed(cores, 0)} cores)", Format.Fixed(busy / wall, 2), "");
        report.Table(table);
    }

    private static string ProcessGroup(SiloCluster cluster, int pid, string name)
    {
        if (pid == Environment.ProcessId)
        {
            return "bench";
        }

        if (cluster.Nodes.FirstOrDefault(n => n.ProcessId == pid) is { } node)
        {
            return $"silo {node.NodeId}";
        }

        return name == "postgres" ? "postgres" : $"other: {name}";
    }

    private static Dictionary<string, string> ParseEnvironment(IReadOnlyList<string> pairs)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"--silo-env '{pair}': expected KEY=VALUE");
            }

            environment[pair[..equals]] = pair[(equals + 1)..];
        }

        return environment;
    }
}
