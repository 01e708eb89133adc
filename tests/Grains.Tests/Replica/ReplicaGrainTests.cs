using System.Text;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Grains.Storage;
using OrleansRaft.Testing.Cluster;

namespace OrleansRaft.Grains.Tests.Replica;

public sealed class ReplicaGrainTests
{
    private static readonly ReadOnlyMemory<byte> Hello = Encoding.UTF8.GetBytes("hello");

    [Fact]
    public async Task LeaderServesEveryOperation()
    {
        await using var cluster = await TestCluster.StartAsync();
        var leader = cluster.Replica(await cluster.WaitForLeaderAsync());

        var put = await cluster.RunAsync(leader.Put("k", Hello, null, CancellationToken.None));
        Assert.Equal(KvStatus.Ok, put.Status);
        Assert.True(put.Index > 0);
        Assert.False(put.Deleted);

        var get = await cluster.RunAsync(leader.Get("k", ReadConsistency.Linearizable, CancellationToken.None));
        Assert.Equal(KvStatus.Ok, get.Status);
        Assert.Equal("hello", Encoding.UTF8.GetString(get.Value!));
        Assert.True(get.Index >= put.Index, "a linearizable read reflects the write that completed before it");

        var append = await cluster.RunAsync(leader.Append("k", Encoding.UTF8.GetBytes(" world"), null, CancellationToken.None));
        Assert.Equal(KvStatus.Ok, append.Status);
        Assert.Equal(11, append.Length);
        Assert.True(append.Index > put.Index);

        var delete = await cluster.RunAsync(leader.Delete("k", null, CancellationToken.None));
        Assert.True(delete.Deleted);
        var again = await cluster.RunAsync(leader.Delete("k", null, CancellationToken.None));
        Assert.False(again.Deleted);

        var absent = await cluster.RunAsync(leader.Get("k", ReadConsistency.Linearizable, CancellationToken.None));
        Assert.Equal(KvStatus.NotFound, absent.Status);
    }

    [Fact]
    public async Task FollowerRefusesWithLeaderHint()
    {
        await using var cluster = await TestCluster.StartAsync();
        var leaderId = await cluster.WaitForLeaderAsync();
        var follower = cluster.Replica(cluster.NodeIds.First(id => id != leaderId));

        var put = await cluster.RunAsync(follower.Put("k", Hello, null, CancellationToken.None));
        Assert.Equal(KvStatus.NotLeader, put.Status);
        Assert.Equal(leaderId, put.LeaderHint);

        var get = await cluster.RunAsync(follower.Get("k", ReadConsistency.Linearizable, CancellationToken.None));
        Assert.Equal(KvStatus.NotLeader, get.Status);
        Assert.Equal(leaderId, get.LeaderHint);
    }

    [Fact]
    public async Task RetriedWriteIsAppliedOnce()
    {
        await using var cluster = await TestCluster.StartAsync();
        var leader = cluster.Replica(await cluster.WaitForLeaderAsync());
        var request = new ClientRequest("client-1", 1, 1);

        var first = await cluster.RunAsync(leader.Append("k", Hello, request, CancellationToken.None));
        var retry = await cluster.RunAsync(leader.Append("k", Hello, request, CancellationToken.None));

        Assert.Equal(first, retry);
        var get = await cluster.RunAsync(leader.Get("k", ReadConsistency.Linearizable, CancellationToken.None));
        Assert.Equal("hello", Encoding.UTF8.GetString(get.Value!));
    }

    [Fact]
    public async Task WritesContinueAfterLeaderCrashAndOldLeaderCatchesUp()
    {
        await using var cluster = await TestCluster.StartAsync();
        var first = await cluster.WaitForLeaderAsync();
        Assert.Equal(KvStatus.Ok, (await cluster.RunAsync(cluster.Replica(first).Put("a", Hello, null, CancellationToken.None))).Status);

        await cluster.CrashAsync(first);
        var second = await cluster.WaitForLeaderAsync();
        Assert.NotEqual(first, second);
        var put = await cluster.RunAsync(cluster.Replica(second).Put("b", Hello, null, CancellationToken.None));
        Assert.Equal(KvStatus.Ok, put.Status);

        await cluster.RestartAsync(first);
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
        foreach (var id in cluster.NodeIds)
        {
            foreach (var key in new[] { "a", "b" })
            {
                var stale = await cluster.RunAsync(cluster.Replica(id).Get(key, ReadConsistency.Stale, CancellationToken.None));
                Assert.True(stale.Status == KvStatus.Ok, $"node {id} lacks key {key} after catching up");
            }
        }
    }

    [Fact]
    public async Task IsolatedLeaderCompletesNothingAndTheMajorityMovesOn()
    {
        await using var cluster = await TestCluster.StartAsync();
        var old = await cluster.WaitForLeaderAsync();
        cluster.Network.Disconnect(old);

        using var deadline = new CancellationTokenSource();
        var stuckPut = cluster.Replica(old).Put("k", Encoding.UTF8.GetBytes("minority"), null, deadline.Token);
        var stuckGet = cluster.Replica(old).Get("k", ReadConsistency.Linearizable, deadline.Token);
        await cluster.AdvanceAsync(TimeSpan.FromMilliseconds(500));
        Assert.False(stuckPut.IsCompleted && (await stuckPut).Status == KvStatus.Ok, "a leader cut off from the majority acknowledged a write");
        Assert.False(stuckGet.IsCompleted && (await stuckGet).Status is KvStatus.Ok or KvStatus.NotFound, "a leader cut off from the majority answered a linearizable read");

        var others = cluster.NodeIds.Where(id => id != old).ToList();
        var status = await cluster.RunAsync(cluster.Replica(others[0]).Status(CancellationToken.None));
        var newLeader = status.Leader != 0 && status.Leader != old ? status.Leader : await WaitForLeaderAmong(cluster, others);
        var put = await cluster.RunAsync(cluster.Replica(newLeader).Put("k", Encoding.UTF8.GetBytes("majority"), null, CancellationToken.None));
        Assert.Equal(KvStatus.Ok, put.Status);

        deadline.Cancel();
        cluster.Network.Heal();
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
        var read = await cluster.RunAsync(cluster.Replica(old).Get("k", ReadConsistency.Stale, CancellationToken.None));
        Assert.Equal("majority", Encoding.UTF8.GetString(read.Value!));
    }

    [Fact]
    public async Task ReplicaWhoseStoreFailsStopsServing()
    {
        var stores = new Dictionary<long, FailingLogStore>();
        await using var cluster = await TestCluster.StartAsync(null, id => stores[id] = new FailingLogStore(new InMemoryLogStore()));
        var leaderId = await cluster.WaitForLeaderAsync();
        var leader = cluster.Replica(leaderId);

        stores[leaderId].Failing = true;
        var put = await cluster.RunAsync(leader.Put("k", Hello, null, CancellationToken.None));
        Assert.Equal(KvStatus.Timeout, put.Status); // proposed, never persisted here: outcome unknown to the caller
        Assert.NotNull(leader.Failure);
        var after = await cluster.RunAsync(leader.Get("k", ReadConsistency.Stale, CancellationToken.None));
        Assert.Equal(KvStatus.Unavailable, after.Status);

        var others = cluster.NodeIds.Where(id => id != leaderId).ToList();
        var next = await WaitForLeaderAmong(cluster, others);
        var write = await cluster.RunAsync(cluster.Replica(next).Put("k2", Hello, null, CancellationToken.None));
        Assert.Equal(KvStatus.Ok, write.Status);
    }

    [Fact]
    public async Task WholeClusterRestartKeepsEveryAcknowledgedWrite()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Size = 5 });
        var leader = cluster.Replica(await cluster.WaitForLeaderAsync());
        var writes = Enumerable.Range(0, 50).Select(i => leader.Put($"key-{i}", Encoding.UTF8.GetBytes($"value-{i}"), null, CancellationToken.None)).ToList();
        foreach (var write in writes)
        {
            Assert.Equal(KvStatus.Ok, (await cluster.RunAsync(write)).Status);
        }

        foreach (var id in cluster.NodeIds)
        {
            await cluster.CrashAsync(id);
        }

        foreach (var id in cluster.NodeIds)
        {
            await cluster.RestartAsync(id);
        }

        var newLeader = cluster.Replica(await cluster.WaitForLeaderAsync());
        for (var i = 0; i < 50; i++)
        {
            var get = await cluster.RunAsync(newLeader.Get($"key-{i}", ReadConsistency.Linearizable, CancellationToken.None));
            Assert.Equal($"value-{i}", Encoding.UTF8.GetString(get.Value!));
        }
    }

    private static async Task<long> WaitForLeaderAmong(TestCluster cluster, IReadOnlyList<long> nodes)
    {
        for (var i = 0; i < 1000; i++)
        {
            foreach (var id in nodes)
            {
                var status = await cluster.RunAsync(cluster.Replica(id).Status(CancellationToken.None));
                if (status.Role == "leader")
                {
                    return id;
                }
            }

            await cluster.AdvanceAsync(cluster.Options.TickInterval);
        }

        throw new TimeoutException("no leader among " + string.Join(',', nodes));
    }
}
