using OrleansRaft.Scenarios.Tests.Harness;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Raft;

/// <summary>
/// MIT 6.5840 lab 3C: persistence. A crash (<see cref="RaftTester.CrashAsync"/>) loses the replica's memory and
/// keeps its store; a restart builds a new replica from that store, as the lab's ShutdownServer and restart.
/// </summary>
public sealed class PersistenceScenarios(ITestOutputHelper output)
{
    [Fact]
    public async Task Persist1()
    {
        await using var ts = await RaftTester.StartAsync(3, Seeds.For(1), output: output);
        await ts.OneAsync("cmd-11", ts.Servers, retry: true);

        // Crash and restart all.
        await CrashAllAsync(ts);
        await RestartCrashedAsync(ts);
        await ts.OneAsync("cmd-12", ts.Servers, retry: true);

        var leader1 = await ts.CheckOneLeaderAsync();
        await ts.CrashAsync(leader1);
        await ts.RestartAsync(leader1);
        await ts.OneAsync("cmd-13", ts.Servers, retry: true);

        var leader2 = await ts.CheckOneLeaderAsync();
        await ts.CrashAsync(leader2);
        var index = await ts.OneAsync("cmd-14", ts.Servers - 1, retry: true);
        await ts.RestartAsync(leader2);

        // Wait for leader2 to join before crashing i3.
        await ts.WaitAsync(index, ts.Servers, -1);

        var i3 = ts.Peer(await ts.CheckOneLeaderAsync(), 1);
        await ts.CrashAsync(i3);
        await ts.OneAsync("cmd-15", ts.Servers - 1, retry: true);
        await ts.RestartAsync(i3);
        await ts.OneAsync("cmd-16", ts.Servers, retry: true);
    }

    [Fact]
    public async Task Persist2()
    {
        await using var ts = await RaftTester.StartAsync(5, Seeds.For(1), output: output);
        var index = 1;
        for (var iteration = 0; iteration < 5; iteration++)
        {
            await ts.OneAsync($"cmd-{10 + index++}", ts.Servers, retry: true);
            var leader1 = await ts.CheckOneLeaderAsync();

            await ts.CrashAsync(ts.Peer(leader1, 1));
            await ts.CrashAsync(ts.Peer(leader1, 2));
            await ts.OneAsync($"cmd-{10 + index++}", ts.Servers - 2, retry: true);

            await ts.CrashAsync(ts.Peer(leader1, 0));
            await ts.CrashAsync(ts.Peer(leader1, 3));
            await ts.CrashAsync(ts.Peer(leader1, 4));

            await ts.RestartAsync(ts.Peer(leader1, 1));
            await ts.RestartAsync(ts.Peer(leader1, 2));
            await ts.SleepAsync(RaftTester.ElectionTimeout);
            await ts.RestartAsync(ts.Peer(leader1, 3));
            await ts.OneAsync($"cmd-{10 + index++}", ts.Servers - 2, retry: true);

            await ts.RestartAsync(ts.Peer(leader1, 4));
            await ts.RestartAsync(ts.Peer(leader1, 0));
        }

        await ts.OneAsync("cmd-1000", ts.Servers, retry: true);
    }

    /// <summary>A partitioned leader and one follower crash; the leader restarts.</summary>
    [Fact]
    public async Task Persist3()
    {
        await using var ts = await RaftTester.StartAsync(3, Seeds.For(1), output: output);
        await ts.OneAsync("cmd-101", 3, retry: true);

        var leader = await ts.CheckOneLeaderAsync();
        ts.Disconnect(ts.Peer(leader, 2));
        await ts.OneAsync("cmd-102", 2, retry: true);

        await ts.CrashAsync(ts.Peer(leader, 0));
        await ts.CrashAsync(ts.Peer(leader, 1));
        ts.Connect(ts.Peer(leader, 2));
        await ts.RestartAsync(ts.Peer(leader, 0));
        await ts.OneAsync("cmd-103", 2, retry: true);

        await ts.RestartAsync(ts.Peer(leader, 1));
        await ts.OneAsync("cmd-104", ts.Servers, retry: true);
    }

    /// <summary>
    /// Figure 8 of the extended Raft paper. Each round asks the leader, if there is one, to take a command; that
    /// leader then crashes soon (likely before committing it) or, now and then, after a while (likely after).
    /// When too few servers are up, a random one restarts. A new leader may try to finish replicating entries of
    /// earlier terms, and must not count them committed by replica count alone (§5.4.2).
    /// </summary>
    [Fact]
    public async Task Figure8()
    {
        var seed = Seeds.For(1);
        await using var ts = await RaftTester.StartAsync(5, seed, output: output);
        await ts.OneAsync(ts.NewCommand(), 1, retry: true);

        var up = ts.Servers;
        for (var iteration = 0; iteration < 1000; iteration++)
        {
            long leader = -1;
            foreach (var server in ts.Nodes)
            {
                if (ts.Cluster.IsRunning(server) && (await ts.StartAsync(server, ts.NewCommand())).IsLeader)
                {
                    leader = server;
                }
            }

            await SleepLabStyleAsync(ts);

            if (leader != -1)
            {
                await ts.CrashAsync(leader);
                up--;
            }

            if (up < 3)
            {
                var server = ts.Nodes[ts.Random.Next(ts.Servers)];
                if (!ts.Cluster.IsRunning(server))
                {
                    await ts.RestartAsync(server);
                    up++;
                }
            }
        }

        await RestartCrashedAsync(ts);
        await ts.OneAsync(ts.NewCommand(), ts.Servers, retry: true);
    }

    /// <summary>The lab's pause between rounds: one round in ten up to half an election timeout, else up to 13 ms.</summary>
    internal static Task SleepLabStyleAsync(RaftTester ts) =>
        ts.SleepAsync(ts.Random.Next(1000) < 100
            ? ts.Random.Next((int)RaftTester.ElectionTimeout.TotalMilliseconds / 2)
            : ts.Random.Next(13));

    private static async Task CrashAllAsync(RaftTester ts)
    {
        foreach (var server in ts.Nodes)
        {
            await ts.CrashAsync(server);
        }
    }

    private static async Task RestartCrashedAsync(RaftTester ts)
    {
        foreach (var server in ts.Nodes.Where(s => !ts.Cluster.IsRunning(s)))
        {
            await ts.RestartAsync(server);
        }
    }
}
