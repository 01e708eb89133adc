using System.Diagnostics;
using OrleansRaft.Grains.Tests.Postgres;
using OrleansRaft.Testing.Processes;
using Xunit.Abstractions;

namespace OrleansRaft.Grains.Tests.Processes;

/// <summary>
/// Three real silo processes on PostgreSQL, SIGKILLed under load: the leader mid-stream, later all three at
/// once. Every acknowledged write must survive on every replica, and no retried write may apply twice.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CrashRecoveryTests(PostgresServer server, ITestOutputHelper output)
{
    private const int Commands = 10_000;
    private const int Workers = 16;
    private const int KillLeaderAfterAcks = 3_000;
    private const int ProgressEvery = 1_000;

    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CommandDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WorkloadDeadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan LeaderTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ConvergeTimeout = TimeSpan.FromSeconds(30);

    private readonly Stopwatch clock = Stopwatch.StartNew();

    [Fact]
    public async Task Acknowledged_writes_survive_a_killed_leader_and_a_crash_of_every_silo_and_apply_once()
    {
        var logs = ProcessLogFolder.Create(nameof(CrashRecoveryTests));
        var database = await server.CreateDatabaseAsync();
        Log($"silo logs in {logs}");
        await using var cluster = await SiloProcessCluster.StartAsync(new SiloProcessClusterOptions
        {
            Size = 3,
            LogDirectory = logs,
            PostgresConnectionString = database,

            // The whole log stays in PostgreSQL, so the check below can count every request in it.
            ExtraArguments = ["--snapshot-entries", "0"],
        });
        Log($"started {string.Join(", ", cluster.Silos)}");
        Log($"leader: node {(await cluster.FindLeaderAsync(LeaderTimeout)).NodeId}");

        // 1. Writes under a leader crash: kill it mid-stream, restart it from its rows, keep writing.
        var client = new ClusterKvClient(cluster, AttemptTimeout, (from, to) => Log($"calls now answered by node {to} (before: node {from})"));
        var runId = Guid.NewGuid().ToString("N")[..8];
        var workload = new CrashWorkload(client, Commands, Workers, runId, acks =>
        {
            if (acks % ProgressEvery == 0)
            {
                Log($"{acks} acks; retries so far: {Retries(client)}");
            }
        });
        using var stop = new CancellationTokenSource(WorkloadDeadline);
        var writes = workload.RunAsync(CommandDeadline, stop.Token);
        try
        {
            await KillAndRestartLeaderAsync(cluster, workload, writes);
        }
        catch
        {
            await stop.CancelAsync();
            await writes.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            throw;
        }

        await writes;
        Assert.Equal(Commands, workload.Acked);
        var acks = workload.Acknowledged.ToList();
        var lastAcked = acks.Max(a => a.Index);
        Log($"all {Commands} writes acknowledged, last at index {lastAcked}; {acks.Count(a => a.Attempts > 1)} needed more than one attempt, {workload.Repeats} were sent again after their Ok and answered as the first time; retries: {Retries(client)}");

        var applied = await WaitConvergedAsync(cluster, lastAcked);
        await CheckStoredLogsAsync(cluster, database, applied);
        await VerifyEveryReplicaAsync(cluster, acks, applied);

        // 2. Every silo crashes at once; all recover from PostgreSQL alone.
        await cluster.KillAllAsync();
        Log("SIGKILL to all three silos");
        await cluster.StartStoppedAsync();
        Log($"restarted all three: {string.Join(", ", cluster.Silos)}");
        var leader = await cluster.FindLeaderAsync(LeaderTimeout);
        Log($"leader after the restart: node {leader.NodeId}");
        var reapplied = await WaitConvergedAsync(cluster, applied);
        await CheckStoredLogsAsync(cluster, database, reapplied);
        await VerifyEveryReplicaAsync(cluster, acks, reapplied);

        var sample = acks.Where(a => a.Command.IsAppend || a.Command.Number % 20 == 0).ToList();
        var linearizable = await ReplicaVerifier.CheckLinearizableAsync(client, sample);
        AssertNoProblems(cluster, linearizable, "linearizable reads on the leader");
        Log($"linearizable reads of {sample.Count} keys on the leader (node {client.Leader}) agree; done in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private async Task KillAndRestartLeaderAsync(SiloProcessCluster cluster, CrashWorkload workload, Task writes)
    {
        if (await Task.WhenAny(workload.WhenAcked(KillLeaderAfterAcks), writes) == writes)
        {
            await writes;
            Assert.Fail($"the writes ended after {workload.Acked} acks, before the leader was killed");
        }

        var leader = await cluster.FindLeaderAsync(LeaderTimeout);
        var pid = leader.ProcessId;
        await leader.KillAsync();
        var killedAt = workload.Acked;
        Log($"SIGKILL leader node {leader.NodeId} (pid {pid}) at {killedAt} acks");
        Assert.True(killedAt < Commands, "the leader must die while writes are still running");

        var next = await cluster.FindLeaderAsync(LeaderTimeout);
        Log($"new leader: node {next.NodeId} at {workload.Acked} acks");
        await leader.RestartAsync(cluster.Options.HealthyTimeout);
        Log($"node {leader.NodeId} restarted (pid {leader.ProcessId}) at {workload.Acked} acks");
    }

    private async Task<long> WaitConvergedAsync(SiloProcessCluster cluster, long minApplied)
    {
        var statuses = await cluster.WaitForAppliedAsync(minApplied, ConvergeTimeout);
        Log($"all replicas applied index {statuses[0].AppliedIndex} (>= {minApplied}): {cluster.Describe(statuses.ToDictionary(s => s.NodeId, s => (ReplicaStatus?)s))}");
        return statuses[0].AppliedIndex;
    }

    private async Task CheckStoredLogsAsync(SiloProcessCluster cluster, string database, long applied)
    {
        var summary = await StoredLogs.SummarizeAsync(database, cluster.Options.GroupId, [.. cluster.Silos.Select(s => s.NodeId)], applied);
        Assert.True(summary.Mismatch is null, $"the stored logs differ at or below the applied index {applied}: {summary.Mismatch} (silo logs in {cluster.LogDirectory})");
        Assert.True(summary.DistinctRequests == Commands, $"the stored logs hold {summary.DistinctRequests} distinct client requests, not {Commands}");
        Log($"stored logs of all three nodes agree up to index {applied}: {summary.Entries} entries, {summary.Commands} commands, {summary.RepeatedRequests} of them repeat an earlier request (retries to skip)");
    }

    private async Task VerifyEveryReplicaAsync(SiloProcessCluster cluster, IReadOnlyCollection<AcknowledgedWrite> acks, long applied)
    {
        var checks = await Task.WhenAll(cluster.Silos.Select(s => ReplicaVerifier.CheckStaleAsync(s, acks, applied)));
        AssertNoProblems(cluster, [.. checks.SelectMany(c => c)], "stale reads on every replica");
        Log($"every replica holds all {acks.Count} acknowledged writes, each applied once");
    }

    private static void AssertNoProblems(SiloProcessCluster cluster, IReadOnlyList<string> problems, string what)
    {
        if (problems.Count > 0)
        {
            Assert.Fail($"{what}: {problems.Count} problems (silo logs in {cluster.LogDirectory}):\n{string.Join('\n', problems.Take(40))}");
        }
    }

    private static string Retries(ClusterKvClient client) =>
        client.Retries.Count == 0 ? "none" : string.Join(", ", client.Retries.Select(r => $"{r.Key} {r.Value}"));

    private void Log(string line) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.00} s  {line}");
}
