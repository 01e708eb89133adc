using OrleansRaft.Scenarios.Tests.Harness;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Raft;

/// <summary>
/// MIT 6.5840 lab 3C on labrpc's unreliable network: requests wait up to 26 ms, a tenth of requests and of
/// replies are lost, and with long reordering two replies in three are held back 200-2200 ms.
/// </summary>
public sealed class UnreliableScenarios(ITestOutputHelper output)
{
    [Fact]
    public async Task UnreliableAgree()
    {
        await using var ts = await RaftTester.StartAsync(5, Seeds.For(1), reliable: false, output: output);

        // The lab runs four one()s in goroutines beside each round's own; here the five run side by side.
        for (var round = 1; round < 50; round++)
        {
            await ts.OneAllAsync([.. Enumerable.Range(0, 4).Select(j => $"cmd-{(100 * round) + j}"), $"cmd-{round}"], 1, retry: true);
        }

        ts.SetReliable(true);
        await ts.OneAsync("cmd-100", ts.Servers, retry: true);
    }

    /// <summary>
    /// <see cref="PersistenceScenarios.Figure8"/> on the unreliable network, with leaders disconnected rather than
    /// crashed, and long reordering from round 200 on.
    /// </summary>
    [Fact]
    public async Task Figure8Unreliable()
    {
        await using var ts = await RaftTester.StartAsync(5, Seeds.For(1), reliable: false, output: output);
        await ts.OneAsync(ts.NewCommand(), 1, retry: true);

        var up = ts.Servers;
        for (var iteration = 0; iteration < 1000; iteration++)
        {
            if (iteration == 200)
            {
                ts.SetLongReordering();
            }

            long leader = -1;
            foreach (var server in ts.Nodes)
            {
                if ((await ts.StartAsync(server, ts.NewCommand())).IsLeader && ts.Network.IsConnected(server))
                {
                    leader = server;
                }
            }

            await PersistenceScenarios.SleepLabStyleAsync(ts);

            if (leader != -1 && ts.Random.Next(1000) < (int)RaftTester.ElectionTimeout.TotalMilliseconds / 2)
            {
                ts.Disconnect(leader);
                up--;
            }

            if (up < 3)
            {
                var server = ts.Nodes[ts.Random.Next(ts.Servers)];
                if (!ts.Network.IsConnected(server))
                {
                    ts.Connect(server);
                    up++;
                }
            }
        }

        foreach (var server in ts.Nodes)
        {
            ts.Connect(server);
        }

        await ts.OneAsync(ts.NewCommand(), ts.Servers, retry: true);
    }
}
