using System.Diagnostics;
using Npgsql;
using OrleansRaft.Grains.Tests.Postgres;
using OrleansRaft.Testing.Processes;
using Xunit.Abstractions;

namespace OrleansRaft.Grains.Tests.Processes;

/// <summary>
/// Three real silos on PostgreSQL with the default --snapshot-entries (10,000): after 100,000 writes each
/// replica stores a snapshot and at most about twice that many log rows, and a follower killed and restarted
/// recovers every acknowledged write from its snapshot plus the rest of its log.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CompactionTests(PostgresServer server, ITestOutputHelper output)
{
    private const int Commands = 100_000;
    private const int Workers = 64;
    private const long SnapshotEntries = 10_000;

    private static readonly TimeSpan CommandDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WorkloadDeadline = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Stopwatch clock = Stopwatch.StartNew();

    [Fact]
    public async Task A_hundred_thousand_writes_leave_at_most_about_two_snapshot_intervals_of_log_per_replica()
    {
        var database = await server.CreateDatabaseAsync();
        await using var cluster = await SiloProcessCluster.StartAsync(new SiloProcessClusterOptions
        {
            Size = 3,
            LogDirectory = ProcessLogFolder.Create(nameof(CompactionTests)),
            PostgresConnectionString = database,
        });
        Log($"silo logs in {cluster.LogDirectory}");
        await cluster.FindLeaderAsync(Timeout);

        var client = new ClusterKvClient(cluster, TimeSpan.FromSeconds(2));
        var workload = new CrashWorkload(client, Commands, Workers, Guid.NewGuid().ToString("N")[..8]);
        using (var stop = new CancellationTokenSource(WorkloadDeadline))
        {
            await workload.RunAsync(CommandDeadline, stop.Token);
        }

        Log($"{workload.Acked} writes acknowledged");
        var applied = (await cluster.WaitForAppliedAsync(Commands, Timeout))[0].AppliedIndex;
        Log($"all replicas applied index {applied}");

        foreach (var silo in cluster.Silos)
        {
            var (rows, snapshotIndex) = await StoredAsync(database, cluster.Options.GroupId, silo.NodeId);
            Log($"node {silo.NodeId}: {rows} log rows, snapshot at {snapshotIndex}");
            Assert.True(rows <= 2 * SnapshotEntries, $"node {silo.NodeId} keeps {rows} log rows after {Commands} writes; compaction should keep about {SnapshotEntries} to {2 * SnapshotEntries}");
            Assert.True(snapshotIndex >= applied - (2 * SnapshotEntries), $"node {silo.NodeId}'s newest snapshot is at {snapshotIndex}, applied {applied}");
        }

        var follower = cluster.Silos.First(s => s.NodeId != client.Leader);
        await follower.KillAsync();
        var restart = Stopwatch.StartNew();
        await follower.RestartAsync(Timeout);
        Log($"node {follower.NodeId} killed and restarted from its snapshot in {restart.ElapsedMilliseconds} ms");
        applied = (await cluster.WaitForAppliedAsync(applied, Timeout))[0].AppliedIndex;

        var problems = await ReplicaVerifier.CheckStaleAsync(follower, workload.Acknowledged, applied);
        Assert.True(problems.Count == 0, $"after its restart node {follower.NodeId} is wrong about {problems.Count} writes:\n{string.Join('\n', problems.Take(20))}");
        Log($"node {follower.NodeId} holds all {workload.Acknowledged.Count} acknowledged writes");
    }

    private static async Task<(long Rows, long SnapshotIndex)> StoredAsync(string database, long group, long node)
    {
        await using var source = NpgsqlDataSource.Create(database);
        await using var command = source.CreateCommand(
            """
            SELECT (SELECT count(*) FROM raft_log WHERE group_id = $1 AND node_id = $2),
                   coalesce((SELECT last_idx FROM raft_snapshot WHERE group_id = $1 AND node_id = $2), 0)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = group });
        command.Parameters.Add(new NpgsqlParameter { Value = node });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private void Log(string line) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.00} s  {line}");
}
