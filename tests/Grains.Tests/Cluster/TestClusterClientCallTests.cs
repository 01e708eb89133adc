using OrleansRaft.Testing.Cluster;

namespace OrleansRaft.Grains.Tests.Cluster;

public sealed class TestClusterClientCallTests
{
    /// <summary>
    /// A follower answers NotLeader at once, so a call with a one-tick timeout must always get its answer. It
    /// did not always: the answer reached the caller through thread-pool continuations that the cluster did not
    /// wait for, so the virtual clock could run into the timeout first, and a client saw an instant reply as lost.
    /// </summary>
    [Fact]
    public async Task AnInstantReplyIsNeverLateInVirtualTime()
    {
        const int callers = 5;
        const int calls = 1000;
        await using var cluster = await TestCluster.StartAsync();
        var leader = await cluster.WaitForLeaderAsync();
        var follower = cluster.NodeIds.First(id => id != leader);

        // Client loops run in the cluster's client context, so they move in step with the virtual clock.
        var lost = await cluster.RunAsync(Task.WhenAll(Enumerable.Range(0, callers).Select(c => cluster.Clients.Run(() => CallerAsync(c)))), TimeSpan.FromSeconds(calls));

        Assert.Equal(new int[callers], lost);

        async Task<int> CallerAsync(int caller)
        {
            var missing = 0;
            for (var i = 0; i < calls; i++)
            {
                var reply = await cluster.CallAsync(1000 + caller, follower, (replica, token) => replica.Put("k", "v"u8.ToArray(), null, token), cluster.Options.TickInterval);
                missing += reply is null ? 1 : 0;
            }

            return missing;
        }
    }
}
