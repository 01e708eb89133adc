using System.Diagnostics;
using System.Globalization;
using OrleansRaft.Bench.Cli;
using OrleansRaft.Bench.Measurement;
using OrleansRaft.Bench.Progress;
using OrleansRaft.Bench.Reporting;
using OrleansRaft.Bench.Reporting.Charts;
using OrleansRaft.Bench.Targets;

namespace OrleansRaft.Bench.Experiments.Election;

/// <summary>
/// Failover time: for each election-timeout range, a cluster comes up with that range, and its leader is SIGKILLed
/// again and again (<c>scripts/cluster kill</c>, then <c>restart</c> before the next trial). A trial measures, from
/// the moment the old leader's process is seen gone, when a node first reports itself leader and when the first
/// write committed through the new leader (fresh Puts through the gateway every few ms). The term jump between
/// the two leaders counts election rounds: more than one means split votes. Every wait is bounded: a range too
/// short for the machine shows up as timeouts, flapping leaders and idle elections, not as a hang.
/// </summary>
public sealed class ElectionExperiment : IExperiment
{
    public string Name => "election";

    public string Summary => "Kill the leader (SIGKILL) repeatedly per election-timeout range: time until a new leader commits a write, split votes, flapping.";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("timeouts", "12-25,150-300,300-500", "Election timeout ranges in ms, comma-separated (mapped onto the silo's --tick-ms, --election-timeout and --heartbeat-ms; and onto etcd's flags)."),
        new("trials", "10", "Leader kills per range and target."),
        new("nodes", "3", "Cluster size."),
        new("target", "orleansraft", "orleansraft (this project via scripts/cluster) and/or etcd (a bench-started etcd 3.4 with the same range); comma-separated or repeated.", Repeatable: true),
        new("trial-timeout-ms", "max(3000, 20 × range max)", "Longest wait for a committed write after a kill; longer counts as a timeout."),
        new("idle-seconds", "2", "Unfaulted seconds watched per range before the first kill, counting elections nobody caused (flapping)."),
        new("silo-args", "(none)", "More silo options, appended after the mapped timeouts."),
    ];

    public async Task<int> RunAsync(ExperimentContext context)
    {
        var arguments = context.Arguments;
        var ranges = TimeoutRange.ParseList(arguments.String("timeouts") ?? "12-25,150-300,300-500");
        var trials = arguments.Int("trials", 10, min: 1, max: 10_000);
        var nodes = arguments.Int("nodes", 3, min: 3, max: 15);
        var targets = TargetSpec.Parse(arguments.All("target"));
        if (targets.FirstOrDefault(t => t.Kind is TargetKind.Single or TargetKind.ExternalEtcd) is { } unfit)
        {
            throw new UsageException($"--target {unfit.Name}{(unfit.Address is null ? "" : "=" + unfit.Address)}: elections need a cluster the bench starts and can crash (orleansraft or etcd)");
        }

        var trialTimeoutOption = arguments.String("trial-timeout-ms") is not null ? arguments.Int("trial-timeout-ms", 3000, min: 100) : (int?)null;
        var idle = TimeSpan.FromSeconds(arguments.Double("idle-seconds", 2, min: 0));
        var extraSiloArguments = arguments.String("silo-args") ?? "";
        var token = context.Cancellation;
        var report = context.Report;
        report.Line($"## election: {string.Join(", ", ranges.Select(r => r.Label))} ms, {trials} leader kills each, {nodes} nodes");
        report.Line();
        report.Line($"Machine: {MachineInfo.Describe()}");
        report.Line($"Load average before: {MachineInfo.LoadAverage()}");
        report.Line("A trial: wait for a stable leader (every node agrees, a write commits), watch its pid, kill it, then start a Put every 2-10 ms until one commits. "
            + "Times are from the moment the process was seen gone: **elected** = a node first reports itself leader (status polled every 2-10 ms), **commit** = the first write through the new leader answered. "
            + "**rounds** = new term − old term (> 1: split votes).");
        report.Line();

        var results = new List<ElectionTrial>();
        var summaries = new List<RangeSummary>();
        foreach (var range in ranges)
        {
            foreach (var target in targets)
            {
                var summary = await RunRangeAsync(context, target, range, nodes, trials, trialTimeoutOption, idle, extraSiloArguments, results, token);
                summaries.Add(summary);
            }
        }

        Report(report, summaries, results);
        Save(context.ResultsDirectory, summaries, results);
        report.Line($"Load average after: {MachineInfo.LoadAverage()}");
        report.Line($"Files in {Cluster.RepositoryPaths.Display(context.ResultsDirectory)}: report.md, election.csv, election-summary.csv, election-cdf.svg, election-leader-cdf.svg; each system's logs in TARGET-RANGE/");
        return 0;
    }

    private static async Task<RangeSummary> RunRangeAsync(
        ExperimentContext context, TargetSpec target, TimeoutRange range, int nodes, int trials, int? trialTimeoutOption, TimeSpan idle, string extraSiloArguments, List<ElectionTrial> results, CancellationToken token)
    {
        var notes = new List<string>();
        var trialTimeout = TimeSpan.FromMilliseconds(trialTimeoutOption ?? Math.Max(3000, 20 * range.MaxMs));
        // Fine enough to resolve the range, coarse enough that hundreds of waiting probes do not load the gateway.
        var probeInterval = TimeSpan.FromMilliseconds(Math.Clamp(range.MinMs / 5, 2, 10));
        var pollPeriod = TimeSpan.FromMilliseconds(Math.Clamp(range.MinMs / 10, 2, 10));
        string siloArguments = "";
        EtcdTimeouts? etcdTimeouts = null;
        string effective;
        if (target.Kind == TargetKind.Etcd)
        {
            var (heartbeat, election) = range.Etcd(out var note);
            etcdTimeouts = new EtcdTimeouts(heartbeat, election);
            notes.Add(note);
            effective = $"{election}-{2 * election}";
        }
        else
        {
            var silo = range.Silo(out var note);
            siloArguments = $"{silo.Arguments} {extraSiloArguments}".Trim();
            notes.Add($"silo: {silo.Arguments}");
            if (note is not null)
            {
                notes.Add(note);
            }

            effective = $"{silo.MinMs}-{silo.MaxMs}";
        }

        var directory = Path.Combine(context.ResultsDirectory, $"{target.Name}-{range.Label}");
        var summary = new RangeSummary(target.Name, range, effective, notes);
        var done = 0;
        var last = "";
        await using var progress = new ProgressTicker($"election {target.Name} {range.Label} ms", _ => $"trial {done}/{trials}{last}", _ => done / (double)trials);
        IFaultableSystem system;
        try
        {
            system = (IFaultableSystem)await target.StartAsync(nodes, directory, siloArguments, etcdTimeouts, context.Log, token);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            notes.Add($"did not start: {FirstLine(e.Message)}");
            return summary;
        }

        await using (system)
        {
            summary.Description = system.Description;
            using var probe = new StableCheck(system, trialTimeout);
            summary.IdleLeaderChanges = await WatchIdleAsync(system, idle, token);
            var cpuBefore = CpuSample.Take();
            var unstableInRow = 0;
            for (var trial = 1; trial <= trials; trial++)
            {
                try
                {
                    var result = await RunTrialAsync(system, target.Name, range, trial, probe, trialTimeout, probeInterval, pollPeriod, token);
                    results.Add(result);
                    done = trial;
                    last = result.Outcome switch
                    {
                        TrialOutcome.Elected => string.Create(CultureInfo.InvariantCulture, $", last {result.CommitMs:F0} ms"),
                        TrialOutcome.Timeout => ", last timed out",
                        _ => ", no stable leader",
                    };
                    unstableInRow = result.Outcome == TrialOutcome.Unstable ? unstableInRow + 1 : 0;
                    if (unstableInRow >= 3)
                    {
                        notes.Add($"stopped after trial {trial}: no stable leader 3 times in a row");
                        break;
                    }

                    if (result.Outcome != TrialOutcome.Unstable)
                    {
                        await system.RestartAsync(result.OldLeader, token);
                    }
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException)
                {
                    // A node that will not come back ends this range; the trials so far and the other ranges still count.
                    notes.Add($"stopped at trial {trial}: {FirstLine(e.Message)}");
                    break;
                }
            }

            summary.Cpu = CpuSplit.Between(cpuBefore, CpuSample.Take(), system.ProcessIds());
        }

        return summary;
    }

    private static async Task<ElectionTrial> RunTrialAsync(
        IFaultableSystem system, string target, TimeoutRange range, int trial, StableCheck stable, TimeSpan trialTimeout, TimeSpan probeInterval, TimeSpan pollPeriod, CancellationToken token)
    {
        var leader = await stable.WaitAsync($"stable-{trial}", token);
        if (leader is not { } before || system.ProcessId(before.Node) is not { } pid)
        {
            return new ElectionTrial(target, range, trial, TrialOutcome.Unstable, 0, 0, 0, 0, 0, null, null, 0, 0, 0, 0);
        }

        using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var death = ProcessDeath.WatchAsync(pid, watchStop.Token);
        await using var watch = new StatusWatch(system, before.Term, before.Node, pollPeriod);
        var asked = Stopwatch.GetTimestamp();
        var kill = system.KillAsync(before.Node, token);
        long dead;
        try
        {
            dead = await death.WaitAsync(TimeSpan.FromSeconds(15), token);
        }
        finally
        {
            await watchStop.CancelAsync();
        }

        long? commit;
        int probes, errors;
        await using (var probe = new WriteProbe(system, system.ProbeAddress(before.Node), probeInterval, trialTimeout))
        {
            probe.Start($"election-{trial}");
            commit = await probe.FirstCommitAsync(dead + (long)(trialTimeout.TotalSeconds * Stopwatch.Frequency), token);
            (probes, errors) = (probe.Probes, probe.Errors);
        }

        await kill;
        if (watch.FirstLeader is null)
        {
            // The write may have beaten the next status poll.
            await Task.Delay(pollPeriod * 5, token);
        }

        var first = watch.FirstLeader;
        double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
        return new ElectionTrial(
            target, range, trial, commit is null ? TrialOutcome.Timeout : TrialOutcome.Elected,
            before.Node, before.Term, first?.Node ?? 0, first?.Term ?? 0, first is { } f ? f.Term - before.Term : Math.Max(0, watch.MaxTerm - before.Term),
            first is { } e ? Math.Max(0, Ms(dead, e.At)) : null, commit is { } c ? Ms(dead, c) : null, watch.Leaders, probes, errors, Ms(asked, dead));
    }

    /// <summary>Leader changes (distinct term and leader pairs, less one) seen while nothing was faulted.</summary>
    private static async Task<int> WatchIdleAsync(IFaultableSystem system, TimeSpan idle, CancellationToken token)
    {
        var seen = new HashSet<(long, int)>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < idle)
        {
            foreach (var status in (await system.StatusAsync(TimeSpan.FromMilliseconds(500), token)).OfType<NodeStatus>())
            {
                if (status.IsLeader)
                {
                    seen.Add((status.Term, status.Node));
                }
            }

            await Task.Delay(20, token);
        }

        return Math.Max(0, seen.Count - 1);
    }

    private static void Report(Report report, List<RangeSummary> summaries, List<ElectionTrial> results)
    {
        var table = new MarkdownTable("target", "range ms", "ran as ms", "kills", "elected", "timeouts", "unstable", "commit mean", "p50", "p99", "max", "elected p50", "split votes", "flapping", "idle elections", "other cores");
        foreach (var summary in summaries)
        {
            var mine = results.Where(r => r.Target == summary.Target && r.Range == summary.Range).ToList();
            var commits = mine.Where(r => r.CommitMs is not null).Select(r => r.CommitMs!.Value).Order().ToList();
            var elected = mine.Where(r => r.ElectedMs is not null).Select(r => r.ElectedMs!.Value).Order().ToList();
            var killed = mine.Count(r => r.Outcome != TrialOutcome.Unstable);
            table.Add(
                summary.Target,
                summary.Range.Label,
                summary.Effective,
                Format.Count(killed),
                Format.Count(commits.Count),
                Format.Count(mine.Count(r => r.Outcome == TrialOutcome.Timeout)),
                Format.Count(mine.Count(r => r.Outcome == TrialOutcome.Unstable)),
                commits.Count == 0 ? "-" : Format.Fixed(commits.Average(), 0),
                Percentile(commits, 50),
                Percentile(commits, 99),
                commits.Count == 0 ? "-" : Format.Fixed(commits[^1], 0),
                Percentile(elected, 50),
                Format.Count(mine.Count(r => r.Outcome != TrialOutcome.Unstable && r.Rounds > 1)),
                Format.Count(mine.Count(r => r.Leaders > 1)),
                summary.IdleLeaderChanges is { } idle ? Format.Count(idle) : "-",
                summary.Cpu is { } cpu ? Format.Fixed(cpu.Other, 2) : "");
        }

        report.Table(table);
        report.Line("Times in ms after the old leader died. split votes: kills whose new leader's term was more than one above the old (counted from the silos' status); flapping: kills after which more than one new leader was reported; idle elections: leader changes while nothing was faulted; other cores: CPU other processes used during the trials (well above 0: a shared, noisy machine).");
        foreach (var summary in summaries)
        {
            report.Line($"- {summary.Target} {summary.Range.Label} ms: {string.Join("; ", summary.Notes)}{(summary.Description is null ? "" : $". {summary.Description}")}");
        }

        var lags = results.Where(r => r.Outcome != TrialOutcome.Unstable).Select(r => r.KillLagMs).Order().ToList();
        if (lags.Count > 0)
        {
            report.Line($"- asking for the kill to seeing the process gone: median {Format.Fixed(lags[lags.Count / 2], 0)} ms, max {Format.Fixed(lags[^1], 0)} ms (not counted in the times above)");
        }

        report.Line();
    }

    private static void Save(string directory, List<RangeSummary> summaries, List<ElectionTrial> results)
    {
        var trials = new CsvTable("target", "range_ms", "trial", "outcome", "old_leader", "old_term", "new_leader", "new_term", "rounds", "elected_ms", "commit_ms", "leaders_seen", "probes", "probe_errors", "kill_lag_ms");
        foreach (var r in results)
        {
            trials.Add(r.Target, r.Range.Label, r.Trial, r.Outcome.ToString().ToLowerInvariant(), r.OldLeader, r.OldTerm, r.NewLeader, r.NewTerm, r.Rounds, r.ElectedMs, r.CommitMs, r.Leaders, r.Probes, r.ProbeErrors, r.KillLagMs);
        }

        trials.Save(Path.Combine(directory, "election.csv"));
        var summary = new CsvTable("target", "range_ms", "ran_as_ms", "kills", "elected", "timeouts", "unstable", "commit_mean_ms", "commit_p50_ms", "commit_p99_ms", "commit_max_ms", "split_votes", "flapping", "idle_elections", "notes");
        foreach (var s in summaries)
        {
            var mine = results.Where(r => r.Target == s.Target && r.Range == s.Range).ToList();
            var commits = mine.Where(r => r.CommitMs is not null).Select(r => r.CommitMs!.Value).Order().ToList();
            summary.Add(s.Target, s.Range.Label, s.Effective, mine.Count(r => r.Outcome != TrialOutcome.Unstable), commits.Count, mine.Count(r => r.Outcome == TrialOutcome.Timeout),
                mine.Count(r => r.Outcome == TrialOutcome.Unstable), commits.Count == 0 ? null : commits.Average(), Nearest(commits, 50), Nearest(commits, 99), commits.Count == 0 ? null : commits[^1],
                mine.Count(r => r.Outcome != TrialOutcome.Unstable && r.Rounds > 1), mine.Count(r => r.Leaders > 1), s.IdleLeaderChanges, string.Join("; ", s.Notes));
        }

        summary.Save(Path.Combine(directory, "election-summary.csv"));

        Cdf("election: time from leader SIGKILL to the first committed write", "failover time (ms, from the old leader's death)", r => r.CommitMs)
            .Save(Path.Combine(directory, "election-cdf.svg"));
        Cdf("election: time from leader SIGKILL until a node reports itself leader", "time to a new leader (ms, from the old leader's death)", r => r.ElectedMs)
            .Save(Path.Combine(directory, "election-leader-cdf.svg"));

        // A CDF per range and target: color per range, dashed for the second target; timeouts keep a curve below 1.
        LineChart Cdf(string title, string xLabel, Func<ElectionTrial, double?> time)
        {
            var chart = new LineChart
            {
                Title = title,
                Subtitle = $"{Environment.ProcessorCount} cores, load avg {MachineInfo.LoadAverage().Split(' ')[0]}; a curve below 1 did not elect within the bound every time",
                XLabel = xLabel,
                YLabel = "fraction of kills",
            };
            var rangeOrder = summaries.Select(s => s.Range).Distinct().ToList();
            var targetOrder = summaries.Select(s => s.Target).Distinct().ToList();
            foreach (var s in summaries)
            {
                var mine = results.Where(r => r.Target == s.Target && r.Range == s.Range && r.Outcome != TrialOutcome.Unstable).ToList();
                var times = mine.Select(time).OfType<double>().Order().ToList();
                var curve = times.Select((ms, i) => (ms, (i + 1) / (double)mine.Count)).ToList();
                chart.Series.Add(new ChartSeries($"{s.Target} {s.Range.Label} ms", curve, rangeOrder.IndexOf(s.Range), Dashed: targetOrder.IndexOf(s.Target) > 0, Step: true));
            }

            return chart;
        }
    }

    private static string Percentile(List<double> sorted, double p) => Nearest(sorted, p) is { } v ? Format.Fixed(v, 0) : "-";

    private static double? Nearest(List<double> sorted, double p) => sorted.Count == 0 ? null : sorted[(int)LatencyHistogram.Rank(p, sorted.Count) - 1];

    private static string FirstLine(string text) => text.Split('\n')[0];
}
