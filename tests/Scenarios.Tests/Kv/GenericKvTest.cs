using System.Diagnostics;
using System.Globalization;
using OrleansRaft.Scenarios.Tests.Harness;
using OrleansRaft.Testing.Cluster;
using OrleansRaft.Testing.Linearizability;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Kv;

/// <summary>
/// 6.5840's GenericTest on a <see cref="TestCluster"/>: clients append and read (each its own key, or random
/// keys) for a while, optionally over an unreliable network, under repeated partitions, with every server
/// crashed and restarted after each round; then every client's appends must be present once and in order, and
/// the whole history must be linearizable. Everything waits on the cluster's virtual clock.
/// </summary>
public static class GenericKvTest
{
    /// <summary>6.5840 gives elections a generous second; partitions last this long plus up to 200 ms.</summary>
    private static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Enough virtual time for every client to finish its last operation once the cluster is whole.</summary>
    private static readonly TimeSpan FinishLimit = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(GenericKvTestOptions test, int seed, ITestOutputHelper output)
    {
        var replay = Seeds.Describe(seed, test.Name);
        output.WriteLine(replay);
        var wall = Stopwatch.StartNew();
        var random = new Random(seed);
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Size = test.Servers, Seed = seed, SnapshotEntries = test.SnapshotEntries });
        var started = cluster.Time.GetUtcNow();
        if (test.Unreliable)
        {
            cluster.Network.Unreliable();
        }

        var history = new KvHistory();
        var checker = new TestKvClerk(cluster, test.Clients, history);
        long attempts = 0;
        var retries = new Dictionary<string, long>();
        var partitions = 0;
        for (var round = 0; round < test.Rounds; round++)
        {
            var stop = new StopFlag();
            var clerks = Enumerable.Range(0, test.Clients).Select(c => new TestKvClerk(cluster, c, history)).ToList();
            var clients = clerks.Select(clerk => StartClient(cluster, test, clerk, new Random(random.Next()), stop, replay)).ToList();

            var partitioner = Task.FromResult(0);
            if (test.Partitions)
            {
                // Let the clients work without interruption first.
                await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
                var partitionRandom = new Random(random.Next());
                partitioner = cluster.Clients.Run(() => PartitionerAsync(cluster, partitionRandom, stop));
            }

            await cluster.AdvanceAsync(test.ClientPhase);
            stop.Set();

            if (test.Partitions)
            {
                partitions += await cluster.RunAsync(partitioner);

                // A request may be stuck at a minority leader; it ends once that leader learns of a newer term.
                cluster.Network.Heal();
                await cluster.AdvanceAsync(ElectionTimeout);
            }

            if (test.Crash)
            {
                foreach (var node in cluster.NodeIds)
                {
                    await cluster.CrashAsync(node);
                }

                await cluster.AdvanceAsync(ElectionTimeout);
                foreach (var node in cluster.NodeIds)
                {
                    await cluster.RestartAsync(node);
                }

                if (test.SnapshotEntries > 0)
                {
                    KvRaftState.AssertRestoredFromSnapshots(cluster, replay);
                }

                cluster.Network.Heal();
            }

            var counts = await cluster.RunAsync(Task.WhenAll(clients), FinishLimit);
            for (var c = 0; c < test.Clients; c++)
            {
                var value = await cluster.RunAsync(checker.GetAsync(Key(c)), FinishLimit);
                if (!test.RandomKeys)
                {
                    KvAppends.CheckClient(c, value, counts[c], replay);
                }
            }

            // Once the servers have applied every request (6.5840 checks here too).
            if (test.SnapshotEntries > 0)
            {
                KvRaftState.AssertTrimmed(cluster, test.SnapshotEntries, replay, output);
            }
            else
            {
                KvRaftState.AssertNoSnapshots(cluster, replay);
            }

            attempts += clerks.Sum(c => c.Attempts);
            Tally(retries, clerks);
            output.WriteLine($"round {round}: appends/puts per client [{string.Join(' ', counts)}], history {history.Count} operations so far");
        }

        attempts += checker.Attempts;
        Tally(retries, [checker]);
        output.WriteLine(
            $"{test.Name}: {history.Count} operations, {attempts} client calls (retried: {Describe(retries)}), {partitions} partitions, {cluster.Network.MessagesSent} messages ({cluster.Network.MessagesDropped} lost), " +
            $"{(cluster.Time.GetUtcNow() - started).TotalSeconds:0.0} s virtual, {wall.Elapsed.TotalSeconds:0.0} s wall before the check");
        KvLinearizability.AssertLinearizable(history, replay, output);
    }

    private static void Tally(Dictionary<string, long> retries, IEnumerable<TestKvClerk> clerks)
    {
        foreach (var (reason, count) in clerks.SelectMany(c => c.Retries))
        {
            retries[reason] = retries.GetValueOrDefault(reason) + count;
        }
    }

    private static string Describe(Dictionary<string, long> retries) =>
        retries.Count == 0 ? "none" : string.Join(", ", retries.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} {r.Value}"));

    private static string Key(int client) => client.ToString(CultureInfo.InvariantCulture);

    // Client loops run in the cluster's client context, in step with the virtual clock.
    private static Task<int> StartClient(TestCluster cluster, GenericKvTestOptions test, TestKvClerk clerk, Random random, StopFlag stop, string replay) =>
        cluster.Clients.Run(() => ClientAsync(cluster, test, clerk, random, stop, replay));

    /// <summary>One 6.5840 client: until stopped, appends (half the time) or reads; returns how many it wrote.</summary>
    private static async Task<int> ClientAsync(TestCluster cluster, GenericKvTestOptions test, TestKvClerk clerk, Random random, StopFlag stop, string replay)
    {
        var me = clerk.Id;
        var j = 0;
        var last = "";
        if (!test.RandomKeys)
        {
            await clerk.PutAsync(Key(me), last);
        }

        while (!stop.IsSet)
        {
            var key = test.RandomKeys ? Key(random.Next(test.Clients)) : Key(me);
            var next = KvAppends.Element(me, j);
            if (random.Next(1000) < 500)
            {
                await clerk.AppendAsync(key, next);
                if (!test.RandomKeys)
                {
                    last += next;
                }

                j++;
            }
            else if (test.RandomKeys && random.Next(1000) < 100)
            {
                // Only with random keys: a Put would break the read check below.
                await clerk.PutAsync(key, next);
                j++;
            }
            else
            {
                var value = await clerk.GetAsync(key) ?? "";
                if (!test.RandomKeys && value != last)
                {
                    Assert.Fail($"client {me}: Get({key}) returned \"{value}\", wanted \"{last}\"; {replay}");
                }
            }

            // A client thinks for a tick between operations: with no network delay an operation can finish in
            // zero virtual time, and clients that never let the clock move would keep the cluster from settling.
            await Task.Delay(cluster.Options.TickInterval, cluster.Time);
        }

        return j;
    }

    /// <summary>6.5840's partitioner: every election timeout or so, splits the servers into two random sides.</summary>
    private static async Task<int> PartitionerAsync(TestCluster cluster, Random random, StopFlag stop)
    {
        var made = 0;
        for (; !stop.IsSet; made++)
        {
            var sides = cluster.NodeIds.ToLookup(_ => random.Next(2));
            cluster.Network.Partition([.. sides[0]], [.. sides[1]]);
            await Task.Delay(ElectionTimeout + TimeSpan.FromMilliseconds(random.Next(200)), cluster.Time);
        }

        return made;
    }
}
