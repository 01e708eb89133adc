using OrleansRaft.Scenarios.Tests.Harness;
using OrleansRaft.Testing.Cluster;
using OrleansRaft.Testing.Linearizability;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Kv;

/// <summary>6.5840 kvraft 4A with partitions, no restarts.</summary>
public sealed class KvPartitionScenarioTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The leader ends up in the minority with two clients: their Put and Get must not complete while the
    /// majority, with its own client, moves on; once healed, both complete.
    /// </summary>
    [Fact]
    public async Task TestOnePartition4A()
    {
        var seed = Seeds.For(421);
        var replay = Seeds.Describe(seed, nameof(TestOnePartition4A));
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Size = 5, Seed = seed });
        var history = new KvHistory();
        var ck = new TestKvClerk(cluster, 0, history);
        await cluster.RunAsync(ck.PutAsync("1", "13"));

        // 6.5840's make_partition: a majority without the leader, and the leader in the minority.
        var leader = await cluster.WaitForLeaderAsync();
        var others = cluster.NodeIds.Where(id => id != leader).ToList();
        var majority = others.Take(cluster.NodeIds.Count / 2 + 1).ToList();
        var minority = cluster.NodeIds.Except(majority).ToList();
        var ckp1 = new TestKvClerk(cluster, 1, history, majority);
        var ckp2a = new TestKvClerk(cluster, 2, history, minority);
        var ckp2b = new TestKvClerk(cluster, 3, history, minority);
        cluster.Network.Partition([.. majority, ckp1.Endpoint], [.. minority, ckp2a.Endpoint, ckp2b.Endpoint]);

        // Progress in the majority.
        await cluster.RunAsync(ckp1.PutAsync("1", "14"));
        await Check(ckp1, "1", "14");

        // No progress in the minority.
        var put = ckp2a.PutAsync("1", "15");
        var get = ckp2b.GetAsync("1");
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.False(put.IsCompleted, $"Put in minority completed ({put.Status}); {replay}");
        Assert.False(get.IsCompleted, $"Get in minority completed ({get.Status}); {replay}");
        await Check(ckp1, "1", "14");
        await cluster.RunAsync(ckp1.PutAsync("1", "16"));
        await Check(ckp1, "1", "16");

        // Completion after heal.
        cluster.Network.Heal();
        ckp2a.Servers = cluster.NodeIds;
        ckp2b.Servers = cluster.NodeIds;
        await cluster.AdvanceAsync(ElectionTimeout);
        await AdvanceUntil(put, TimeSpan.FromSeconds(3));
        Assert.True(put.IsCompletedSuccessfully, $"Put did not complete ({put.Status}); {replay}");
        await AdvanceUntil(get, TimeSpan.FromSeconds(3));
        Assert.True(get.IsCompletedSuccessfully, $"Get did not complete ({get.Status}); {replay}");
        await Check(ck, "1", "15");
        KvLinearizability.AssertLinearizable(history, replay, output);

        async Task Check(TestKvClerk clerk, string key, string expected)
        {
            var value = await cluster.RunAsync(clerk.GetAsync(key));
            Assert.True(value == expected, $"Get({key}) by client {clerk.Id}: expected \"{expected}\", received \"{value}\"; {replay}");
        }

        async Task AdvanceUntil(Task operation, TimeSpan limit)
        {
            for (var waited = TimeSpan.Zero; !operation.IsCompleted && waited < limit; waited += cluster.Options.TickInterval)
            {
                await cluster.AdvanceAsync(cluster.Options.TickInterval);
            }
        }
    }

    [Fact]
    public Task TestManyPartitionsOneClient4A() =>
        GenericKvTest.RunAsync(new GenericKvTestOptions { Name = nameof(TestManyPartitionsOneClient4A), Clients = 1, Servers = 5, Partitions = true }, Seeds.For(422), output);

    [Fact]
    public Task TestManyPartitionsManyClients4A() =>
        GenericKvTest.RunAsync(new GenericKvTestOptions { Name = nameof(TestManyPartitionsManyClients4A), Clients = 5, Servers = 5, Partitions = true }, Seeds.For(423), output);
}
