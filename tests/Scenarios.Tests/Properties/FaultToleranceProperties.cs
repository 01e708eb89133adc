using System.Text;
using OrleansRaft.Grains;
using OrleansRaft.Scenarios.Tests.Harness;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Properties;

/// <summary>What clients see through partitions, crashes and slow replicas, as properties over several seeds.</summary>
public sealed class FaultToleranceProperties(ITestOutputHelper output)
{
    /// <summary>
    /// The leader is cut off (disconnected, or crashed right after taking writes) while it holds writes nobody
    /// else has; the rest elect a leader and commit new writes; the old leader comes back. It must take the new
    /// entries and drop its uncommitted ones: its log ends up the new leader's, and no replica ever applies them.
    /// </summary>
    [Theory]
    [InlineData(71)]
    [InlineData(72)]
    [InlineData(73)]
    [InlineData(74)]
    public async Task NetworkPartition(int defaultSeed)
    {
        var seed = Seeds.For(defaultSeed);
        await using var ts = await RaftTester.StartAsync(seed % 2 == 0 ? 3 : 5, seed, output: output);
        var crash = ts.Random.Next(2) == 0;
        var old = await ts.CheckOneLeaderAsync();
        foreach (var i in Enumerable.Range(0, 5))
        {
            await ts.CommitAsync($"before-{i}", TimeSpan.FromSeconds(5));
        }

        // The old leader takes writes that cannot commit: it is cut off first, or crashes before they leave it.
        if (!crash)
        {
            ts.Disconnect(old);
        }

        var doomed = await ts.StartAllAsync(old, [.. Enumerable.Range(0, 5).Select(i => $"doomed-{i}")]);
        if (doomed.Any(s => !s.IsLeader))
        {
            throw ts.Fail($"leader {old} refused writes");
        }

        if (crash)
        {
            await ts.CrashAsync(old);
        }

        // The rest elect a new leader and commit.
        var leader = await ts.CheckOneLeaderAsync();
        if (leader == old)
        {
            throw ts.Fail($"the cut-off leader {old} is still the leader");
        }

        var after = new List<(string Value, long Index)>();
        foreach (var i in Enumerable.Range(0, 5))
        {
            after.Add(($"after-{i}", (await ts.CommitAsync($"after-{i}", TimeSpan.FromSeconds(5))).Index));
        }

        // The old leader resumes.
        if (crash)
        {
            await ts.RestartAsync(old);
        }
        else
        {
            ts.Connect(old);
        }

        var converged = await ts.ConvergeAsync(TimeSpan.FromSeconds(3));
        var oldLog = ts.Cluster.RecordedLog(old).Entries();
        var newLog = ts.Cluster.RecordedLog(converged[0].Leader).Entries();
        if (oldLog.Count != newLog.Count || oldLog.Where((e, i) => !RaftInvariants.Same(e, newLog[i])).Any())
        {
            throw ts.Fail($"the old leader {old} did not take the new leader's log ({oldLog.Count} and {newLog.Count} entries)");
        }

        foreach (var (value, index) in after)
        {
            if (RaftTester.CommandOf(oldLog[(int)index - 1]) != value)
            {
                throw ts.Fail($"the old leader {old} lacks {value} at {index}");
            }
        }

        foreach (var node in ts.Nodes)
        {
            var log = ts.Cluster.RecordedLog(node).Entries();
            if (log.FirstOrDefault(e => RaftTester.CommandOf(e)?.StartsWith("doomed-", StringComparison.Ordinal) == true) is { Index: > 0 } kept)
            {
                throw ts.Fail($"node {node} holds the old leader's uncommitted {RaftInvariants.Describe(kept)} (the old leader was {old})");
            }
        }

        foreach (var start in doomed)
        {
            // Superseded (it was disconnected) or outcome unknown (it crashed): never acknowledged.
            var reply = await ts.Cluster.RunAsync(start.Reply!, TimeSpan.FromSeconds(5));
            if (reply.Status == KvStatus.Ok)
            {
                throw ts.Fail($"an uncommitted write was acknowledged at {reply.Index}");
            }
        }

        foreach (var node in ts.Nodes)
        {
            if ((await ts.ReadLocallyAsync(node, [RaftTester.Key]))[0] is var value && value != "after-4")
            {
                throw ts.Fail($"node {node} reads {RaftTester.Key} as {value ?? "nothing"}, not after-4");
            }
        }
    }

    /// <summary>
    /// Every acknowledged key is stored on a majority throughout a run with up to ⌊(n-1)/2⌋ nodes down, cut off or
    /// split away (from the tick its acknowledgement is seen), and on every replica (readable there) within 2 s of
    /// healing.
    /// </summary>
    [Theory]
    [InlineData(81)]
    [InlineData(82)]
    [InlineData(83)]
    [InlineData(84)]
    public async Task KeysOnMajority(int defaultSeed)
    {
        await using var ts = await RaftTester.StartAsync(5, Seeds.For(defaultSeed), output: output);
        var chaos = new RaftChaos(ts, keepMajority: true);
        var majority = (ts.Servers / 2) + 1;
        var (ticks, checkedUpTo) = (0, 0);
        await chaos.RunAsync(
            TimeSpan.FromSeconds(6),
            _ =>
            {
                // New acknowledgements every tick, all of them every 20 ticks (checking all each tick costs seconds).
                var acknowledged = chaos.Workload.Acknowledged;
                var from = ++ticks % 20 == 0 ? 0 : checkedUpTo;
                checkedUpTo = acknowledged.Count;
                foreach (var write in acknowledged.Skip(from))
                {
                    var holders = ts.Nodes.Count(n => ts.Cluster.RecordedLog(n).Entry(write.Index) is { } e && RaftInvariants.Same(e, write.Entry));
                    if (holders < majority)
                    {
                        throw ts.Fail($"acknowledged {write.Key} at {write.Index} is stored on {holders} of {ts.Servers} nodes");
                    }
                }
            },
            convergeWithin: TimeSpan.FromSeconds(2));

        var writes = chaos.Workload.Acknowledged;
        foreach (var node in ts.Nodes)
        {
            var values = await ts.ReadLocallyAsync(node, [.. writes.Select(w => w.Key)]);
            for (var i = 0; i < writes.Count; i++)
            {
                if (values[i] != writes[i].Value)
                {
                    throw ts.Fail($"node {node} reads acknowledged {writes[i].Key} as {values[i] ?? "absent"}, not {writes[i].Value}");
                }
            }
        }

        chaos.RequireProgress();
    }

    /// <summary>
    /// Up to ⌊(n-1)/2⌋ followers slow (every message to or from them 500 ms late) or failed: writes commit as fast as
    /// on a healthy cluster. Then a majority of followers slow (40 ms each way, so a round trip stays under the
    /// 100 ms minimum election timeout): writes commit, slower; once all is well every write is on every replica.
    /// </summary>
    [Theory]
    [InlineData(91)]
    [InlineData(92)]
    [InlineData(93)]
    [InlineData(94)]
    public async Task Stragglers(int defaultSeed)
    {
        var seed = Seeds.For(defaultSeed);
        await using var ts = await RaftTester.StartAsync(seed % 2 == 0 ? 3 : 5, seed, output: output);
        var leader = await ts.CheckOneLeaderAsync();
        var followers = ts.Nodes.Where(n => n != leader).OrderBy(_ => ts.Random.Next()).ToList();
        var tolerated = (ts.Servers - 1) / 2;
        var committed = new List<(string Command, long Index)>();

        // A minority of followers slow or failed: the rest still make a quorum at full speed.
        foreach (var follower in followers.Take(tolerated))
        {
            switch (ts.Random.Next(3))
            {
                case 0:
                    ts.Network.Slow(follower, TimeSpan.FromMilliseconds(500));
                    break;
                case 1:
                    ts.Disconnect(follower);
                    break;
                default:
                    await ts.CrashAsync(follower);
                    break;
            }
        }

        foreach (var i in Enumerable.Range(0, 20))
        {
            var (latency, index) = await ts.CommitAsync($"minority-{i}", TimeSpan.FromSeconds(5));
            committed.Add(($"minority-{i}", index));
            if (latency > TimeSpan.FromMilliseconds(50))
            {
                throw ts.Fail($"with {tolerated} of {followers.Count} followers slow or failed, minority-{i} took {latency.TotalMilliseconds} ms to commit");
            }
        }

        foreach (var follower in followers)
        {
            ts.Network.Slow(follower, TimeSpan.Zero);
            if (!ts.Cluster.IsRunning(follower))
            {
                await ts.RestartAsync(follower);
            }

            ts.Connect(follower);
        }

        await ts.ConvergeAsync(TimeSpan.FromSeconds(3));

        // A majority of followers slow: every quorum waits for one of them.
        var slow = tolerated + 1 + ts.Random.Next(followers.Count - tolerated);
        foreach (var follower in followers.Take(slow))
        {
            ts.Network.Slow(follower, TimeSpan.FromMilliseconds(40));
        }

        foreach (var i in Enumerable.Range(0, 20))
        {
            var (latency, index) = await ts.CommitAsync($"majority-{i}", TimeSpan.FromSeconds(5));
            committed.Add(($"majority-{i}", index));
            if (latency < TimeSpan.FromMilliseconds(80))
            {
                throw ts.Fail($"with {slow} of {followers.Count} followers 40 ms away, majority-{i} committed in {latency.TotalMilliseconds} ms, under a round trip");
            }
        }

        foreach (var follower in followers)
        {
            ts.Network.Slow(follower, TimeSpan.Zero);
        }

        // Nothing was lost: every write is at its index on every replica, and applied there.
        await ts.ConvergeAsync(TimeSpan.FromSeconds(3));
        foreach (var node in ts.Nodes)
        {
            foreach (var (command, index) in committed)
            {
                if (ts.Cluster.RecordedLog(node).Entry(index) is not { } entry || RaftTester.CommandOf(entry) != command)
                {
                    throw ts.Fail($"node {node} lost {command} at {index}");
                }
            }
        }
    }
}
