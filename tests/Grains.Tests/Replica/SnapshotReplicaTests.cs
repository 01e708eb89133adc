using System.Text;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Testing.Cluster;

namespace OrleansRaft.Grains.Tests.Replica;

/// <summary>Log compaction in the replica grain: snapshots taken, restarts from them, and followers caught up by them.</summary>
public sealed class SnapshotReplicaTests
{
    private static readonly TestClusterOptions Compacting = new() { SnapshotEntries = 50, SnapshotTrailingEntries = 10 };

    [Fact]
    public async Task ReplicasCompactTheirLogAndARestartRecoversFromTheSnapshot()
    {
        await using var cluster = await TestCluster.StartAsync(Compacting);
        var leader = await cluster.WaitForLeaderAsync();
        await PutAsync(cluster, leader, 0, 200);
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));

        foreach (var id in cluster.NodeIds)
        {
            var status = await cluster.RunAsync(cluster.Replica(id).Status(CancellationToken.None));
            Assert.True(status.SnapshotIndex >= 150, $"node {id} snapshot index {status.SnapshotIndex}");
            Assert.True(status.FirstIndex > 100, $"node {id} still stores its log from {status.FirstIndex}");
        }

        var follower = cluster.NodeIds.First(id => id != leader);
        await cluster.CrashAsync(follower);
        await cluster.RestartAsync(follower);
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));

        await AssertAllKeysAsync(cluster, follower, 200);
    }

    [Fact]
    public async Task AFollowerFarBehindCatchesUpByInstallSnapshot()
    {
        await using var cluster = await TestCluster.StartAsync(Compacting);
        var leader = await cluster.WaitForLeaderAsync();
        var lagging = cluster.NodeIds.First(id => id != leader);
        await PutAsync(cluster, leader, 0, 20);

        cluster.Network.Disconnect(lagging);
        await PutAsync(cluster, leader, 20, 300);
        var leaderStatus = await cluster.RunAsync(cluster.Replica(leader).Status(CancellationToken.None));
        Assert.True(leaderStatus.FirstIndex > 30, $"the leader compacted past what the follower has: first index {leaderStatus.FirstIndex}");

        cluster.Network.Connect(lagging);
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(2));

        Assert.True(cluster.RecordedLog(lagging).Installs > 0, "the lagging follower got a snapshot");
        await AssertAllKeysAsync(cluster, lagging, 300);

        // It carries on from the snapshot: later writes reach it through the log.
        await PutAsync(cluster, leader, 300, 310);
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
        await AssertAllKeysAsync(cluster, lagging, 310);
    }

    [Fact]
    public async Task ARetryAnsweredBeforeASnapshotIsNotAppliedAgainAfterIt()
    {
        await using var cluster = await TestCluster.StartAsync(Compacting);
        var leader = await cluster.WaitForLeaderAsync();
        var request = new ClientRequest("client", 1, 1);
        var first = await cluster.RunAsync(cluster.Replica(leader).Append("k", "x"u8.ToArray(), request, CancellationToken.None));
        await PutAsync(cluster, leader, 0, 120);
        foreach (var id in cluster.NodeIds)
        {
            await cluster.CrashAsync(id);
        }

        foreach (var id in cluster.NodeIds)
        {
            await cluster.RestartAsync(id);
        }

        leader = await cluster.WaitForLeaderAsync();
        var retry = await cluster.RunAsync(cluster.Replica(leader).Append("k", "x"u8.ToArray(), request, CancellationToken.None));
        var read = await cluster.RunAsync(cluster.Replica(leader).Get("k", ReadConsistency.Linearizable, CancellationToken.None));

        Assert.Equal(KvStatus.Ok, retry.Status);
        Assert.Equal(first.Index, retry.Index);
        Assert.Equal("x", Encoding.UTF8.GetString(read.Value!));
    }

    private static async Task PutAsync(TestCluster cluster, long leader, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            var put = await cluster.RunAsync(cluster.Replica(leader).Put($"key-{i}", Encoding.UTF8.GetBytes($"value-{i}"), null, CancellationToken.None));
            Assert.Equal(KvStatus.Ok, put.Status);
        }
    }

    private static async Task AssertAllKeysAsync(TestCluster cluster, long node, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var read = await cluster.RunAsync(cluster.Replica(node).Get($"key-{i}", ReadConsistency.Stale, CancellationToken.None));
            Assert.True(read.Status == KvStatus.Ok, $"node {node} lacks key-{i}: {read.Status}");
            Assert.Equal($"value-{i}", Encoding.UTF8.GetString(read.Value!));
        }
    }
}
