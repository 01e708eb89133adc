using System.Globalization;
using OrleansRaft.Scenarios.Tests.Harness;
using OrleansRaft.Testing.Cluster;
using OrleansRaft.Testing.Linearizability;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Kv;

/// <summary>
/// 6.5840 kvraft 4B: every server snapshots itself and compacts its log; lagging servers catch up by InstallSnapshot
/// and restarted ones recover from their snapshot.
/// </summary>
public sealed class KvSnapshotScenarioTests(ITestOutputHelper output)
{
    /// <summary>
    /// 6.5840's maxraftstate of 1000 bytes, in entries: a write here is about 80-90 bytes of log (33 bytes of
    /// header, a 41-byte session id, key and value), so 1000 bytes hold about 10 of them.
    /// </summary>
    private const long MaxRaftState = 10;

    /// <summary>6.5840's maxsnapshotstate: a snapshot of one key and one client must stay this small (bytes).</summary>
    private const long MaxSnapshotState = 500;

    private static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Server 3 is cut off while the other two take 50 writes and compact their logs past everything it has; then it
    /// is needed for a majority, so it must catch up, and only InstallSnapshot can bring it.
    /// </summary>
    [Fact]
    public async Task TestSnapshotRPC4B()
    {
        var seed = Seeds.For(451);
        var replay = Seeds.Describe(seed, nameof(TestSnapshotRPC4B));
        output.WriteLine(replay);
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Size = 3, Seed = seed, SnapshotEntries = MaxRaftState });
        var history = new KvHistory();
        var ck = new TestKvClerk(cluster, 0, history);
        await Put(ck, "a", "A");
        await Check(ck, "a", "A");

        // A bunch of puts into the majority partition.
        cluster.Network.Partition([1, 2], [3]);
        var ck1 = new TestKvClerk(cluster, 1, history, [1, 2]);
        for (var i = 0; i < 50; i++)
        {
            await Put(ck1, Key(i), Key(i));
        }

        await cluster.AdvanceAsync(ElectionTimeout);
        await Put(ck1, "b", "B");

        // The majority has thrown away most of its log, and server 1 everything server 3 holds.
        KvRaftState.AssertTrimmed(cluster, MaxRaftState, replay, output);
        var lagging = cluster.RecordedLog(3);
        var lastBehind = lagging.LastIndex;
        Assert.True(
            cluster.RecordedLog(1).FirstIndex > lastBehind + 1,
            $"server 1 still stores its log from {cluster.RecordedLog(1).FirstIndex}, so server 3 (last index {lastBehind}) could catch up without a snapshot; {replay}");

        // Now a group that needs the lagging server, so that it has to catch up.
        cluster.Network.Partition([1, 3], [2]);
        var ck2 = new TestKvClerk(cluster, 2, history, [1, 3]);
        await Put(ck2, "c", "C");
        await Put(ck2, "d", "D");
        await Check(ck2, "a", "A");
        await Check(ck2, "b", "B");
        await Check(ck2, "1", "1");
        await Check(ck2, "49", "49");
        Assert.True(lagging.Installs > 0, $"server 3 (last index {lastBehind} when cut off) caught up without installing a snapshot; {replay}");
        Assert.True(lagging.FirstIndex > lastBehind + 1, $"server 3 still stores its log from {lagging.FirstIndex}; {replay}");

        // Now everybody.
        cluster.Network.Heal();
        await Put(ck, "e", "E");
        await Check(ck, "c", "C");
        await Check(ck, "e", "E");
        await Check(ck, "1", "1");
        KvRaftState.AssertTrimmed(cluster, MaxRaftState, replay, output);
        KvLinearizability.AssertLinearizable(history, replay, output);

        Task Put(TestKvClerk clerk, string key, string value) => cluster.RunAsync(clerk.PutAsync(key, value));

        async Task Check(TestKvClerk clerk, string key, string expected)
        {
            var value = await cluster.RunAsync(clerk.GetAsync(key));
            Assert.True(value == expected, $"Get({key}) by client {clerk.Id}: expected \"{expected}\", received \"{value}\"; {replay}");
        }
    }

    /// <summary>
    /// 200 rounds of Put/Get/Put/Get on one key (800 operations, as 6.5840): every server's log stays trimmed, and
    /// the snapshot holds the state, not the history, so it stays under 6.5840's 500 bytes.
    /// </summary>
    [Fact]
    public async Task TestSnapshotSize4B()
    {
        const int rounds = 200;
        var seed = Seeds.For(452);
        var replay = Seeds.Describe(seed, nameof(TestSnapshotSize4B));
        output.WriteLine(replay);
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Size = 3, Seed = seed, SnapshotEntries = MaxRaftState });
        var history = new KvHistory();
        var ck = new TestKvClerk(cluster, 0, history);
        await cluster.RunAsync(cluster.Clients.Run(PutAndCheckAsync), TimeSpan.FromMinutes(5));

        // A write a server has not applied yet is not compacted; let every server apply the last one.
        await cluster.AdvanceAsync(ElectionTimeout);
        KvRaftState.AssertTrimmed(cluster, MaxRaftState, replay, output);
        foreach (var node in cluster.NodeIds)
        {
            var stored = cluster.RecordedLog(node);
            Assert.True(stored.SnapshotIndex > 0, $"node {node} never snapshotted; {replay}");
            Assert.True(stored.SnapshotBytes <= MaxSnapshotState, $"node {node}: snapshot too large ({stored.SnapshotBytes} > {MaxSnapshotState} bytes); {replay}");
        }

        KvLinearizability.AssertLinearizable(history, replay, output);

        async Task PutAndCheckAsync()
        {
            for (var i = 0; i < rounds; i++)
            {
                foreach (var value in new[] { "0", "1" })
                {
                    await ck.PutAsync("x", value);
                    var read = await ck.GetAsync("x");
                    Assert.True(read == value, $"round {i}: Get(x) returned \"{read}\", wanted \"{value}\"; {replay}");
                }
            }
        }
    }

    /// <summary>
    /// Rounds of 3 s instead of 6.5840's 5: a client here finishes an operation about every tick (6.5840's about every
    /// 30-100 ms), and the checker's time grows with the appends per key (5 s rounds: 1,500 operations, 17 s of checking
    /// at load average 35).
    /// </summary>
    [Fact]
    public Task TestSnapshotRecover4B() =>
        GenericKvTest.RunAsync(
            Snapshots(nameof(TestSnapshotRecover4B)) with { Clients = 1, Servers = 5, Crash = true, ClientPhase = TimeSpan.FromSeconds(3) },
            Seeds.For(453),
            output);

    /// <summary>
    /// 20 clients, as 6.5840, but rounds of 1 s instead of 5, for the reason above (2 s rounds: 12,000 operations,
    /// 33-37 s of checking at load average 35-40).
    /// </summary>
    [Fact]
    public Task TestSnapshotRecoverManyClients4B() =>
        GenericKvTest.RunAsync(
            Snapshots(nameof(TestSnapshotRecoverManyClients4B)) with { Clients = 20, Servers = 5, Crash = true, ClientPhase = TimeSpan.FromSeconds(1) },
            Seeds.For(454),
            output);

    [Fact]
    public Task TestSnapshotUnreliable4B() =>
        GenericKvTest.RunAsync(Snapshots(nameof(TestSnapshotUnreliable4B)) with { Clients = 5, Servers = 5, Unreliable = true }, Seeds.For(455), output);

    [Fact]
    public Task TestSnapshotUnreliableRecover4B() =>
        GenericKvTest.RunAsync(Snapshots(nameof(TestSnapshotUnreliableRecover4B)) with { Clients = 5, Servers = 5, Unreliable = true, Crash = true }, Seeds.For(456), output);

    [Fact]
    public Task TestSnapshotUnreliableRecoverConcurrentPartition4B() =>
        GenericKvTest.RunAsync(
            Snapshots(nameof(TestSnapshotUnreliableRecoverConcurrentPartition4B)) with { Clients = 5, Servers = 5, Unreliable = true, Crash = true, Partitions = true },
            Seeds.For(457),
            output);

    /// <summary>15 clients on 7 servers, random keys and Puts: only the linearizability check can judge the reads.</summary>
    [Fact]
    public Task TestSnapshotUnreliableRecoverConcurrentPartitionLinearizable4B() =>
        GenericKvTest.RunAsync(
            Snapshots(nameof(TestSnapshotUnreliableRecoverConcurrentPartitionLinearizable4B)) with
            {
                Clients = 15,
                Servers = 7,
                Unreliable = true,
                Crash = true,
                Partitions = true,
                RandomKeys = true,
            },
            Seeds.For(458),
            output);

    private static GenericKvTestOptions Snapshots(string name) => new() { Name = name, SnapshotEntries = MaxRaftState };

    private static string Key(int i) => i.ToString(CultureInfo.InvariantCulture);
}
