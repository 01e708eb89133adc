using System.Diagnostics;
using System.Globalization;
using OrleansRaft.EndToEnd.Tests.Chaos;
using OrleansRaft.Testing.Linearizability;
using Xunit.Abstractions;

namespace OrleansRaft.EndToEnd.Tests;

/// <summary>
/// Jepsen in small: <c>scripts/cluster up</c>, concurrent clients over a few keys through the REST gateway while the
/// silos are SIGKILLed and restarted, SIGSTOPped and resumed (the leader too, and once all silos killed at once),
/// then everything healed and every key read; the whole REST history must be linearizable. The faults come from a
/// seed (ORLEANSRAFT_SEED, printed with the command that replays it); timing is the machine's.
/// </summary>
public sealed class ChaosTests : IAsyncLifetime
{
    private const int Nodes = 3;
    private const int Clients = 6;

    // Enough work that a pass means something, low enough for a loaded 2-core machine.
    private const int MinAcknowledgedWrites = 200;
    private const int MinWritesAfterKillAll = 20;
    private const int MinCompletedGets = 100;
    private const double MinFaultShare = 0.5;

    // One request's HTTP timeout exceeds the gateway's deadline, so a 503 or 504 arrives before it; a paused silo
    // still makes requests time out, and their clients go on.
    private const int GatewayDeadlineMs = 1500;
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan ChaosDuration = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MoreWorkTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LeaderTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan FinalReadDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(60);

    // A handful of keys, so that clients meet on each; one holds '/', sent as %2F.
    private static readonly string[] Keys = ["k0", "k1", "k2", "k3", "k4", "dir/k5"];

    private readonly ScriptedCluster cluster;
    private readonly int seed;

    public ChaosTests(ITestOutputHelper output)
    {
        cluster = new ScriptedCluster(output, "e2e-chaos", Nodes, AttemptTimeout);
        seed = RunSeed.FromEnvironment();
    }

    private string Replay => RunSeed.Replay(seed, nameof(ChaosTests));

    public Task InitializeAsync()
    {
        cluster.Log($"seed {seed}; {Replay}");
        return cluster.UpAsync("--gateway-args", $"--deadline-ms {GatewayDeadlineMs.ToString(CultureInfo.InvariantCulture)}");
    }

    public Task DisposeAsync() => cluster.DisposeAsync().AsTask();

    [Fact]
    public async Task ConcurrentClientsSurviveKillsPausesAndRestarts()
    {
        var first = await cluster.WaitForLeaderAsync(excluding: null, LeaderTimeout);
        cluster.Log($"seed {seed}; leader {first}");

        // 1. Clients and faults together for ChaosDuration.
        var history = new KvHistory();
        var counters = new ChaosCounters();
        var workload = new ChaosWorkload(cluster.Gateway, history, counters, Keys, () => cluster.Elapsed);
        var injector = new FaultInjector(cluster);
        var schedule = new FaultSchedule(seed, ChaosDuration);
        var started = cluster.Elapsed;
        var chaosTime = TimeSpan.Zero;
        using (var stop = new CancellationTokenSource())
        {
            var clients = workload.StartClients(Clients, seed, stop.Token);
            try
            {
                await RunFaultsAsync(injector, schedule);
                chaosTime = cluster.Elapsed - started;

                // A slow machine may leave little time after the kill of every silo: the clients go on, without
                // faults, until the work the assertions below ask for is done or the deadline passes.
                await ScriptedCluster.PollAsync(() => Task.FromResult(EnoughWork(counters, injector) ? "enough" : null), MoreWorkTimeout);
            }
            finally
            {
                // An operation under way ends within its attempts' timeouts.
                await stop.CancelAsync();
                await Task.WhenAll(clients);
            }
        }

        cluster.Log($"faults ended after {chaosTime.TotalSeconds:0.0} s, clients after {(cluster.Elapsed - started).TotalSeconds:0.0} s; {history.Count} operations recorded");

        // 2. Heal, then the cluster must serve again: a leader, an answer to a read of every key, every silo caught up
        // (asserted in 3).
        await injector.HealAsync();
        var healed = await cluster.WaitForLeaderAsync(excluding: null, LeaderTimeout);
        cluster.Log($"after healing: {healed}");
        var finals = await Task.WhenAll(Keys.Select(key => workload.ReadUntilAnsweredAsync(key, FinalReadDeadline)));
        var stalled = Keys.Zip(finals).Where(p => p.Second.Outcome != AttemptOutcome.Done).Select(p => $"GET {p.First}: last answer {p.Second.LastAnswer}").ToList();
        cluster.Log("final reads: " + string.Join("; ", Keys.Zip(finals).Select(p => $"{p.First} = {Show(p.Second.Outcome, p.Second.Value)}")));

        // 3. The whole history, checked, and everything worth knowing printed before any assertion.
        var operations = history.Operations;
        var checking = Stopwatch.StartNew();
        var result = LinearizabilityChecker.Check(operations, CheckTimeout);
        checking.Stop();

        var acknowledgedAfterKillAll = injector.AllRestartedAt is { } at ? counters.AcknowledgedWritesSince(at) : 0;
        var faultShare = injector.FaultTime / chaosTime;
        cluster.Log(
            $"""
            seed {seed}: {operations.Count} operations in the history ({operations.Count(o => o.Return is null)} with unknown outcome) from {workload.ClientIds} client ids over {Keys.Length} keys
            {counters.Describe()}
              writes acknowledged after every silo was killed and restarted: {acknowledgedAfterKillAll}
            faults: {string.Join(", ", injector.Episodes.OrderBy(p => p.Key).Select(p => $"{p.Key} ×{p.Value}"))}; some silo paused or down {injector.FaultTime.TotalSeconds:0.0} s of {chaosTime.TotalSeconds:0.0} s ({faultShare:P0})
            fault timeline:
            {string.Join('\n', injector.Timeline)}
            checker: {result} in {checking.Elapsed.TotalSeconds:0.00} s
            {Replay}
            """);

        Assert.True(result.IsLinearizable, $"the REST history is not linearizable (seed {seed}):\n{result}\n{Replay}");
        Assert.True(stalled.Count == 0, $"after healing, no answer within {FinalReadDeadline.TotalSeconds:0} s: {string.Join("; ", stalled)}\n{Replay}");
        for (var node = 1; node <= Nodes; node++)
        {
            await cluster.WaitCaughtUpAsync(node, CatchUpTimeout);
        }

        Assert.True(counters.UnexpectedCount == 0, $"{counters.UnexpectedCount} answers no valid request should get, e.g.:\n{string.Join('\n', counters.UnexpectedSamplesSeen)}\n{Replay}");
        Assert.True(injector.AllRestartedAt is not null, $"the faults never killed every silo at once\n{Replay}");
        Assert.True(counters.AcknowledgedWrites >= MinAcknowledgedWrites, $"only {counters.AcknowledgedWrites} writes acknowledged (at least {MinAcknowledgedWrites} expected)\n{Replay}");
        Assert.True(acknowledgedAfterKillAll >= MinWritesAfterKillAll, $"only {acknowledgedAfterKillAll} writes acknowledged after every silo was restarted (at least {MinWritesAfterKillAll} expected)\n{Replay}");
        Assert.True(counters.Count(KvOperationKind.Get, AttemptOutcome.Done) >= MinCompletedGets, $"only {counters.Count(KvOperationKind.Get, AttemptOutcome.Done)} reads answered (at least {MinCompletedGets} expected)\n{Replay}");
        Assert.True(faultShare >= MinFaultShare, $"a fault was active only {faultShare:P0} of the run (at least {MinFaultShare:P0} expected)\n{Replay}");
        cluster.Passed = true;
    }

    /// <summary>The faults; when a <c>scripts/cluster</c> command fails (a silo that does not restart), the timeline up to it is printed.</summary>
    private async Task RunFaultsAsync(FaultInjector injector, FaultSchedule schedule)
    {
        try
        {
            await injector.RunAsync(schedule, ChaosDuration);
        }
        catch
        {
            cluster.Log($"fault timeline up to the failure:\n{string.Join('\n', injector.Timeline)}\n{Replay}");
            throw;
        }
    }

    private static bool EnoughWork(ChaosCounters counters, FaultInjector injector) =>
        counters.AcknowledgedWrites >= MinAcknowledgedWrites
        && counters.Count(KvOperationKind.Get, AttemptOutcome.Done) >= MinCompletedGets
        && injector.AllRestartedAt is { } at && counters.AcknowledgedWritesSince(at) >= MinWritesAfterKillAll;

    private static string Show(AttemptOutcome outcome, string? value) => outcome switch
    {
        AttemptOutcome.Done when value is null => "(absent)",
        AttemptOutcome.Done => value.Length > 60 ? $"\"{value[..60]}…\" ({value.Length} chars)" : $"\"{value}\"",
        _ => "(no answer)",
    };
}
