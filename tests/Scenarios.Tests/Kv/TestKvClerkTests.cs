using OrleansRaft.Scenarios.Tests.Harness;
using OrleansRaft.Testing.Cluster;
using OrleansRaft.Testing.Linearizability;

namespace OrleansRaft.Scenarios.Tests.Kv;

/// <summary>The clerk itself: retries, hints, the servers it may use, cancellation and what it records.</summary>
public sealed class TestKvClerkTests
{
    [Fact]
    public async Task WriteWhoseReplyIsLostIsRetriedAndAppliedOnce()
    {
        await using var cluster = await TestCluster.StartAsync();
        var history = new KvHistory();
        var clerk = new TestKvClerk(cluster, 0, history);
        await cluster.RunAsync(clerk.PutAsync("k", ""));
        var leader = await cluster.WaitForLeaderAsync();

        // The leader gets the append and applies it, but its replies never reach the clerk.
        cluster.Network.Cut(leader, clerk.Endpoint);
        var append = clerk.AppendAsync("k", "a");
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.False(append.IsCompleted);
        cluster.Network.Join(leader, clerk.Endpoint);
        await cluster.RunAsync(append);

        Assert.Equal("a", await cluster.RunAsync(clerk.GetAsync("k")));
        Assert.True(clerk.Retries.GetValueOrDefault("no reply") >= 2, $"retries: {string.Join(", ", clerk.Retries)}");
        Assert.True(LinearizabilityChecker.Check(history.Operations).IsLinearizable);
    }

    [Fact]
    public async Task FollowsTheLeaderHint()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Size = 5 });
        var leader = await cluster.WaitForLeaderAsync();
        var follower = cluster.NodeIds.First(id => id != leader);
        var clerk = new TestKvClerk(cluster, 0, servers: [follower, .. cluster.NodeIds.Where(id => id != follower)]);

        await cluster.RunAsync(clerk.PutAsync("k", "v"));

        Assert.Equal(2, clerk.Attempts);
        Assert.Equal(1, clerk.Retries["NotLeader"]);
    }

    [Fact]
    public async Task ContactsOnlyItsServers()
    {
        await using var cluster = await TestCluster.StartAsync();
        var leader = await cluster.WaitForLeaderAsync();
        var clerk = new TestKvClerk(cluster, 0, servers: [.. cluster.NodeIds.Where(id => id != leader)]);

        var put = clerk.PutAsync("k", "v");
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.False(put.IsCompleted, "a clerk without the leader among its servers completed a write");

        clerk.Servers = cluster.NodeIds;
        await cluster.RunAsync(put);
        Assert.Equal("v", await cluster.RunAsync(clerk.GetAsync("k")));
    }

    [Fact]
    public async Task CancelledWriteHasAnUnknownOutcome()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.WaitForLeaderAsync();
        var history = new KvHistory();
        var clerk = new TestKvClerk(cluster, 0, history);
        cluster.Network.Partition(cluster.NodeIds, [clerk.Endpoint]);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1), cluster.Time);
        var put = clerk.PutAsync("k", "v", deadline.Token);
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(2));

        Assert.True(put.IsCanceled);
        var recorded = Assert.Single(history.Operations);
        Assert.Null(recorded.Return);
    }

    [Fact]
    public async Task OperationCancelledBeforeItWasSentIsNotRecorded()
    {
        await using var cluster = await TestCluster.StartAsync();
        var history = new KvHistory();
        var clerk = new TestKvClerk(cluster, 0, history);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => clerk.PutAsync("k", "v", new CancellationToken(canceled: true)));

        Assert.Equal(0, history.Count);
        Assert.Equal(0, clerk.Attempts);
    }

    /// <summary>The example in README.md's "Testing host", as written there.</summary>
    [Fact]
    public async Task ReadmeExample()
    {
        var seed = Seeds.For(461);
        var replay = Seeds.Describe(seed, nameof(ReadmeExample));
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Size = 5, Seed = seed });
        cluster.Network.Unreliable();                                    // labrpc: lost and delayed requests and replies
        var history = new KvHistory();
        var a = new TestKvClerk(cluster, 0, history);                    // endpoint 1000, any server
        var b = new TestKvClerk(cluster, 1, history, servers: [1, 2]);   // endpoint 1001, nodes 1 and 2 only
        cluster.Network.Partition([1, 2, b.Endpoint], [3, 4, 5, a.Endpoint]);
        await cluster.RunAsync(a.AppendAsync("k", "x"));                 // the majority side moves on
        var stuck = b.PutAsync("k", "y");                                // the minority side cannot...
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(5));             // ...in 5 virtual seconds
        Assert.False(stuck.IsCompleted, replay);
        cluster.Network.Heal(); b.Servers = cluster.NodeIds; await cluster.RunAsync(stuck);
        Assert.True(LinearizabilityChecker.Check(history.Operations).IsLinearizable, replay);
    }
}
