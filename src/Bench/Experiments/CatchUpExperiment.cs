using System.Diagnostics;
using System.Globalization;
using OrleansRaft.Bench.Cli;
using OrleansRaft.Bench.Cluster;
using OrleansRaft.Bench.Measurement;
using OrleansRaft.Bench.Reporting;
using OrleansRaft.Grains;

namespace OrleansRaft.Bench.Experiments;

/// <summary>
/// How long a new member takes to catch up from a snapshot (§7, thesis §4.2.1). N silos on PostgreSQL get
/// --keys distinct keys, until the leader holds a snapshot covering all of them and has compacted its log. Then,
/// per trial, a fresh silo (the next node id, so an empty log) starts with --join and is added as a voter: the
/// leader replicates its address, adds it as a learner, catches it up and promotes it. Measured from the call:
/// until the new replica has applied the leader's commit index of that moment, and until the call returned with
/// it a voter. It is then removed and stopped. Every step has a bound; a step that fails ends the run (exit 1).
/// </summary>
public sealed class CatchUpExperiment : IExperiment
{
    // Writes that make the leader's next snapshot cover the keys: overwrites of the same keys, in batches.
    private const int OverwriteBatch = 1000;

    // Worker indices name client sessions (SiloWorker): every batch of writers needs its own, or the sessions'
    // sequence numbers start over and the leader answers Stale. Batches use writers × (batch + 1)..; the load this.
    private const int BackgroundFirstWorker = 1_000_000;

    public string Name => "catchup";

    public string Summary => "Time for a new member to catch up from a snapshot of --keys keys and become a voter.";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("nodes", "3", "Silo processes of the cluster (ports base-port..); new members get the next ids."),
        new("keys", "100000", "Distinct keys written before the first new member joins."),
        new("value-bytes", "100", "Bytes of each value."),
        new("writers", "32", "Concurrent writers while loading the keys."),
        new("trials", "3", "New members added (and removed) one after the other."),
        new("timeout-s", "120", "Bound of each wait: the snapshot, one member's catch-up, one membership change."),
        new("during-load", "false", "Keep writers running through the trials; report their writes/s before and during each catch-up.", IsFlag: true),
        new("load-writers", "16", "Closed-loop writers of --during-load (random keys among --keys)."),
        new("load-baseline-s", "5", "With --during-load: seconds of load measured before each add."),
        new("timeout-ms", "10000", "Deadline of one write; Timeout answers are retried with the same session until then."),
        new("silo-args", "(none)", "Extra silo options in one string, e.g. \"--snapshot-entries 20000\"."),
        .. SiloExperiment.ProcessOptions,
    ];

    public async Task<int> RunAsync(ExperimentContext context)
    {
        var arguments = context.Arguments;
        var nodes = arguments.Int("nodes", 3, min: 1, max: 9);
        var keys = arguments.Int("keys", 100_000, min: 1);
        var valueBytes = arguments.Int("value-bytes", 100, min: 0, max: 1 << 20);
        var writers = arguments.Int("writers", 32, min: 1, max: 10_000);
        var trials = arguments.Int("trials", 3, min: 1, max: 50);
        var bound = TimeSpan.FromSeconds(arguments.Int("timeout-s", 120, min: 1));
        var duringLoad = arguments.Flag("during-load");
        var loadWriters = arguments.Int("load-writers", 16, min: 1, max: 10_000);
        var baseline = TimeSpan.FromSeconds(arguments.Double("load-baseline-s", 5, min: 0.5));
        var timeout = TimeSpan.FromMilliseconds(arguments.Int("timeout-ms", 10_000, min: 1));
        var basePort = arguments.Int("base-port", 7001, min: 1, max: 65_535 - nodes - trials);
        var siloArguments = (arguments.String("silo-args") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var token = context.Cancellation;
        var report = context.Report;
        var log = context.Log;

        report.Line($"## catchup: {nodes} silos on PostgreSQL, {Format.Count(keys)} keys of {valueBytes} bytes, {trials} new member{(trials == 1 ? "" : "s")}{(duringLoad ? $", {loadWriters} writers running throughout" : ", no other load")}");
        report.Line();
        report.Line($"Machine: {MachineInfo.Describe()}");
        report.Line($"Load average before: {MachineInfo.LoadAverage()}");
        if (siloArguments.Length > 0)
        {
            report.Line($"Silo options: {string.Join(' ', siloArguments)}");
        }

        await using var database = await PostgresDatabase.CreateAsync("bench_catchup", arguments.Flag("keep-db"), log, token);
        await using var cluster = await SiloCluster.StartAsync(
            new SiloClusterOptions
            {
                Nodes = nodes,
                BasePort = basePort,
                PostgresConnectionString = database.ConnectionString,
                SiloDll = arguments.String("silo-dll") ?? RepositoryPaths.SiloDll,
                ExtraArguments = siloArguments,
                LogDirectory = context.ResultsDirectory,
            },
            log,
            token);
        var leader = await cluster.WaitForLeaderAsync(token);
        var workload = new SiloWorkload(cluster, leader.NodeId, keys, valueBytes, 0, timeout, $"catchup-{DateTime.UtcNow:HHmmss}-{Guid.NewGuid().ToString("N")[..6]}");

        var loaded = await WriteKeysAsync(workload, writers, 0, 0, keys, $"catchup: writing {keys:N0} keys", token);
        // Reported only once every trial succeeded: a failed run shows no figures.
        var loadedLine = $"Loaded {Format.Count(keys)} keys in {Format.Fixed(loaded.Window.TotalSeconds, 1)} s ({Format.Count(keys / loaded.Window.TotalSeconds)} writes/s, {writers} writers).";
        var snapshot = await WaitForSnapshotAsync(cluster, workload, writers, bound, log, token);
        var leaderNode = cluster.Node(snapshot.NodeId);
        var bytes = SnapshotLogLines.TakenBytes(leaderNode, snapshot.SnapshotIndex);
        var snapshotLine = $"Leader (node {snapshot.NodeId}): snapshot at index {Format.Count(snapshot.SnapshotIndex)}, {(bytes is { } b ? $"{Format.Count(b)} bytes ({Format.Fixed(b / 1048576.0, 1)} MiB)" : "size not available (no log line)")}; log [{Format.Count(snapshot.FirstIndex)}, {Format.Count(snapshot.LastIndex)}], commit index {Format.Count(snapshot.CommitIndex)}.";

        var results = new List<CatchUpTrial>();
        long? loadFailures = null;
        await using (var load = duringLoad ? new BackgroundLoad(workload, loadWriters, BackgroundFirstWorker) : null)
        {
            for (var trial = 1; trial <= trials; trial++)
            {
                var trialResult = await RunTrialAsync(cluster, nodes + trial, load, baseline, bound, log, token);
                results.Add(trialResult);
                await log.WriteLineAsync($"bench: trial {trial}: node {trialResult.NodeId} caught up in {trialResult.CatchUp.TotalMilliseconds:F0} ms, voter after {trialResult.Voter.TotalMilliseconds:F0} ms");
            }

            loadFailures = load?.Read().Failed;
        }

        report.Line(loadedLine);
        report.Line(snapshotLine);
        report.Line();
        Report(report, results, duringLoad);
        if (loadFailures is { } failures)
        {
            report.Line($"Background writes that failed (NotLeader followed up to 5 times, nothing else retried): {Format.Count(failures)}");
        }

        report.Line($"Load average after: {MachineInfo.LoadAverage()}");
        var problems = cluster.ProblemLines();
        report.Line($"Silo logs: {context.ResultsDirectory}/silo-N.log; warning/error lines: {string.Join(", ", problems.Select(p => $"silo {p.Key}: {p.Value}"))}");
        return 0;
    }

    /// <summary>Writes keys first..first+count-1 (operation i writes key i mod --keys); throws if any write failed.</summary>
    private static async Task<LoadResult> WriteKeysAsync(SiloWorkload workload, int writers, int firstWorker, long first, int count, string label, CancellationToken token)
    {
        var result = await LoadGenerator.RunAsync(
            new LoadOptions { Workers = Math.Min(writers, count), Operations = count, Label = label },
            index => new SiloWorker(workload, firstWorker + index, operation => workload.Keys[(first + operation) % workload.Keys.Length], retryUntilDeadline: true),
            token);
        if (result.ErrorCount > 0)
        {
            throw new InvalidOperationException($"{label}: {result.ErrorCount:N0} of {count:N0} writes failed ({string.Join(", ", result.Errors.Select(e => $"{e.Key}: {e.Value}"))})");
        }

        return result;
    }

    /// <summary>
    /// Overwrites keys until the leader's snapshot covers every write so far and its log no longer starts at 1, so
    /// a new member can only catch up through InstallSnapshot; returns the leader's status then.
    /// </summary>
    private static async Task<ReplicaStatus> WaitForSnapshotAsync(SiloCluster cluster, SiloWorkload workload, int writers, TimeSpan bound, TextWriter log, CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        var covered = (await cluster.WaitForLeaderAsync(token)).CommitIndex;
        long overwritten = 0;
        while (true)
        {
            var leader = await cluster.WaitForLeaderAsync(token);
            if (leader.SnapshotIndex >= covered && leader.FirstIndex > 1)
            {
                await log.WriteLineAsync($"bench: leader {leader.NodeId} holds a snapshot at {leader.SnapshotIndex} (every key written by {covered}); {overwritten:N0} overwrites were needed");
                return leader;
            }

            if (clock.Elapsed > bound)
            {
                throw new TimeoutException($"no snapshot covering index {covered} within {bound.TotalSeconds:F0} s (leader {leader.NodeId}: snapshot {leader.SnapshotIndex}, log [{leader.FirstIndex}, {leader.LastIndex}], applied {leader.AppliedIndex}); is --snapshot-entries 0?");
            }

            if (leader.AppliedIndex >= covered)
            {
                // Everything is applied, so only more entries bring the next snapshot: overwrite keys with the same values' size.
                await WriteKeysAsync(workload, writers, (int)(writers * (1 + (overwritten / OverwriteBatch))), overwritten, OverwriteBatch, "catchup: overwriting keys until a snapshot covers them", token);
                overwritten += OverwriteBatch;
            }
            else
            {
                await Task.Delay(100, token);
            }
        }
    }

    private static async Task<CatchUpTrial> RunTrialAsync(SiloCluster cluster, long id, BackgroundLoad? load, TimeSpan baseline, TimeSpan bound, TextWriter log, CancellationToken token)
    {
        await using var joiner = await cluster.StartJoinerAsync(id, token);
        await PollAsync(joiner, bound, s => true, $"silo {id} to answer its status", token);

        var before = load?.Read();
        if (load is not null)
        {
            await Task.Delay(baseline, token);
        }

        var atAdd = load?.Read();
        var leader = await cluster.WaitForLeaderAsync(token);
        var target = leader.CommitIndex;
        var clock = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(bound);
        var add = TimedAsync(() => ChangeAsync(cluster, leader.NodeId, new MembershipRequest(MembershipRequestKind.AddVoter, id, joiner.Address), deadline.Token), clock);

        await PollAsync(joiner, bound - clock.Elapsed, s => s.AppliedIndex >= target, $"silo {id} to apply up to the leader's commit index {target} of the add", token, TimeSpan.FromMilliseconds(10));
        var catchUp = clock.Elapsed;
        var caughtUp = load?.Read();

        var (added, voter) = await add;
        var afterVoter = load?.Read();
        if (added.Status != MembershipStatus.Ok || !added.Voters.Contains(id))
        {
            throw new InvalidOperationException($"adding silo {id} as a voter: {added.Status} {added.Reason} {added.Detail} (voters [{string.Join(',', added.Voters)}], learners [{string.Join(',', added.Learners)}]) after {voter.TotalMilliseconds:F0} ms; its log: {joiner.LogPath}");
        }

        var status = await PollAsync(joiner, bound, s => true, $"silo {id} to answer its status", token);
        var installed = SnapshotLogLines.Installed(joiner);

        using (var removeDeadline = CancellationTokenSource.CreateLinkedTokenSource(token))
        {
            removeDeadline.CancelAfter(bound);
            var removed = await ChangeAsync(cluster, leader.NodeId, new MembershipRequest(MembershipRequestKind.Remove, id), removeDeadline.Token);
            if (removed.Status != MembershipStatus.Ok)
            {
                throw new InvalidOperationException($"removing silo {id}: {removed.Status} {removed.Reason} {removed.Detail}");
            }
        }

        await joiner.StopAsync(TimeSpan.FromSeconds(10));
        await log.WriteLineAsync($"bench: silo {id} removed and stopped (exit code {joiner.ExitCode})");
        return new CatchUpTrial(
            id,
            target,
            catchUp,
            voter,
            status.SnapshotIndex,
            installed,
            before is { } b && atAdd is { } a ? BackgroundLoad.Rate(b, a) : null,
            atAdd is { } a1 && caughtUp is { } c ? BackgroundLoad.Rate(a1, c) : null,
            atAdd is { } a2 && afterVoter is { } v ? BackgroundLoad.Rate(a2, v) : null);
    }

    private static async Task<(MembershipResult Result, TimeSpan Elapsed)> TimedAsync(Func<Task<MembershipResult>> change, Stopwatch clock)
    {
        var result = await change();
        return (result, clock.Elapsed);
    }

    /// <summary>One membership change on the leader, following NotLeader hints among the cluster's own silos.</summary>
    private static async Task<MembershipResult> ChangeAsync(SiloCluster cluster, long leader, MembershipRequest change, CancellationToken token)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = await cluster.Node(leader).Client.ChangeMembership(change, token);
            if (result.Status != MembershipStatus.NotLeader || attempt >= 10 || token.IsCancellationRequested)
            {
                return result;
            }

            leader = result.LeaderHint > 0 && result.LeaderHint <= cluster.Nodes.Count ? result.LeaderHint : (leader % cluster.Nodes.Count) + 1;
            await Task.Delay(100, token);
        }
    }

    /// <summary>Polls the silo's status until <paramref name="done"/>; throws when the silo exits or the bound passes.</summary>
    private static async Task<ReplicaStatus> PollAsync(SiloNode node, TimeSpan bound, Func<ReplicaStatus, bool> done, string what, CancellationToken token, TimeSpan? period = null)
    {
        var clock = Stopwatch.StartNew();
        ReplicaStatus? last = null;
        while (true)
        {
            if (node.HasExited)
            {
                throw new InvalidOperationException($"waiting for {what}: silo {node.NodeId} exited with code {node.ExitCode}; last lines of {node.LogPath}:\n{node.Tail(15)}");
            }

            var status = await SiloCluster.TryStatusAsync(node, TimeSpan.FromSeconds(1), token);
            if (status is not null)
            {
                last = status;
                if (done(status))
                {
                    return status;
                }
            }

            if (clock.Elapsed > bound)
            {
                var seen = last is null ? "it never answered" : $"last status: {last.Role}, applied {last.AppliedIndex}, commit {last.CommitIndex}, snapshot {last.SnapshotIndex}, log [{last.FirstIndex}, {last.LastIndex}]";
                throw new TimeoutException($"waited {bound.TotalSeconds:F0} s for {what}; {seen}; last lines of {node.LogPath}:\n{node.Tail(15)}");
            }

            await Task.Delay(period ?? TimeSpan.FromMilliseconds(100), token);
        }
    }

    private static void Report(Report report, IReadOnlyList<CatchUpTrial> trials, bool duringLoad)
    {
        List<string> headers = ["trial", "node", "leader commit at add", "catch-up ms", "voter ms", "snapshot index after", "installed from leader"];
        if (duringLoad)
        {
            headers.AddRange(["writes/s before", "writes/s catching up", "writes/s until voter"]);
        }

        var table = new MarkdownTable([.. headers]);
        foreach (var (trial, i) in trials.Select((t, i) => (t, i + 1)))
        {
            List<string> row =
            [
                i.ToString(CultureInfo.InvariantCulture),
                trial.NodeId.ToString(CultureInfo.InvariantCulture),
                Format.Count(trial.TargetIndex),
                Format.Count(trial.CatchUp.TotalMilliseconds),
                Format.Count(trial.Voter.TotalMilliseconds),
                Format.Count(trial.SnapshotIndex),
                trial.Installed.Count == 0 ? "none" : string.Join("; ", trial.Installed.Select(s => $"{Format.Count(s.Index)} ({Format.Fixed(s.Bytes / 1048576.0, 1)} MiB)")),
            ];
            if (duringLoad)
            {
                row.AddRange([Rate(trial.WritesBefore), Rate(trial.WritesCatchingUp), Rate(trial.WritesUntilVoter)]);
            }

            table.Add([.. row]);
        }

        report.Table(table);
        report.Line($"**catch-up ms** (add → applied the leader's commit index of the add): {Spread(trials.Select(t => t.CatchUp.TotalMilliseconds))}");
        report.Line($"**voter ms** (add → AddVoter returned Ok, the node a voter): {Spread(trials.Select(t => t.Voter.TotalMilliseconds))}");
        var throughSnapshot = trials.Count(t => t.SnapshotIndex > 0 && t.Installed.Count > 0);
        report.Line($"Through InstallSnapshot (snapshot index > 0 and an install logged): {throughSnapshot} of {trials.Count} new members.");
        if (duringLoad)
        {
            report.Line($"Background writes/s: {Spread(trials.Select(t => t.WritesBefore ?? 0))} before each add; {Spread(trials.Select(t => t.WritesCatchingUp ?? 0))} while catching up; {Spread(trials.Select(t => t.WritesUntilVoter ?? 0))} from the add until voter.");
        }
    }

    private static string Rate(double? rate) => rate is { } r ? Format.Count(r) : "";

    private static string Spread(IEnumerable<double> values)
    {
        var all = values.ToList();
        return $"mean {Format.Count(all.Average())}, min {Format.Count(all.Min())}, max {Format.Count(all.Max())}";
    }
}
