using OrleansRaft.Grains.Kv;
using OrleansRaft.Grains.Storage;
using OrleansRaft.Testing.Cluster;

namespace OrleansRaft.Grains.Tests.Cluster;

public sealed class TestClusterSnapshotTests
{
    /// <summary>
    /// A replica writes its snapshot beside the turn loop. The cluster did not wait for that write while settling, so
    /// how far a log was compacted at a given virtual time depended on the thread pool: on a busy machine a store
    /// kept growing for many ticks, and 6.5840's "Raft state size" check failed now and then.
    /// </summary>
    [Fact]
    public async Task SettlingWaitsForTheSnapshotsBeingWritten()
    {
        await using var cluster = await TestCluster.StartAsync(
            new TestClusterOptions { SnapshotEntries = 5 },
            _ => new SlowSnapshotLogStore(new InMemoryLogStore(), TimeSpan.FromMilliseconds(200)));
        var leader = await cluster.WaitForLeaderAsync();
        for (var i = 0; i < 5; i++)
        {
            var put = await cluster.RunAsync(cluster.Replica(leader).Put($"key-{i}", new byte[] { (byte)i }, null, CancellationToken.None));
            Assert.Equal(KvStatus.Ok, put.Status);
        }

        // Asked without moving virtual time: every replica applied the 5 writes and so took a snapshot.
        foreach (var status in await cluster.StatusesAsync())
        {
            Assert.True(status.SnapshotIndex >= 5, $"node {status.NodeId} applied {status.AppliedIndex} but holds a snapshot at {status.SnapshotIndex}");
            Assert.True(cluster.RecordedLog(status.NodeId).SnapshotIndex >= 5, $"node {status.NodeId}'s store holds no snapshot");
        }
    }
}
