using OrleansRaft.Scenarios.Tests.Harness;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Raft;

/// <summary>
/// MIT 6.5840 lab 3C churn: three clients submit commands while servers are disconnected, crashed and restarted
/// at random; every command a client saw committed must be in the final log.
/// </summary>
public sealed class ChurnScenarios(ITestOutputHelper output)
{
    [Fact]
    public Task ReliableChurn() => ChurnAsync(reliable: true, Seeds.For(2), nameof(ReliableChurn));

    [Fact]
    public Task UnreliableChurn() => ChurnAsync(reliable: false, Seeds.For(2), nameof(UnreliableChurn));

    private async Task ChurnAsync(bool reliable, int seed, string name)
    {
        await using var ts = await RaftTester.StartAsync(5, seed, reliable, output: output, name: name);
        var clients = Enumerable.Range(0, 3).Select(id => new RaftChurnClient(ts, id)).ToList();

        for (var iteration = 0; iteration < 20; iteration++)
        {
            if (ts.Random.Next(1000) < 200)
            {
                ts.Disconnect(ts.Nodes[ts.Random.Next(ts.Servers)]);
            }

            if (ts.Random.Next(1000) < 500)
            {
                var server = ts.Nodes[ts.Random.Next(ts.Servers)];
                if (!ts.Cluster.IsRunning(server))
                {
                    await ts.RestartAsync(server);
                }

                ts.Connect(server);
            }

            if (ts.Random.Next(1000) < 200)
            {
                var server = ts.Nodes[ts.Random.Next(ts.Servers)];
                if (ts.Cluster.IsRunning(server))
                {
                    await ts.CrashAsync(server);
                }
            }

            // Often enough that peers can often keep up, not so rarely that all settles between changes: a bit
            // less than an election timeout.
            await RunClientsAsync(ts, clients, RaftTester.ElectionTimeout * 7 / 10);
        }

        await RunClientsAsync(ts, clients, RaftTester.ElectionTimeout);
        ts.SetReliable(true);
        foreach (var server in ts.Nodes)
        {
            if (!ts.Cluster.IsRunning(server))
            {
                await ts.RestartAsync(server);
            }

            ts.Connect(server);
        }

        // The clients stop here; what they saw committed must stay committed.
        var values = clients.SelectMany(c => c.Committed).ToList();
        await ts.SleepAsync(RaftTester.ElectionTimeout);

        var lastIndex = await ts.OneAsync(ts.NewCommand(), ts.Servers, retry: true);
        var really = new HashSet<string>();
        for (var index = 1; index <= lastIndex; index++)
        {
            var (_, command) = await ts.WaitAsync(index, ts.Servers, -1);
            if (command is not null)
            {
                really.Add(command);
            }
        }

        foreach (var value in values)
        {
            if (!really.Contains(value))
            {
                throw ts.Fail($"didn't find a value: {value} was committed but is not in the log");
            }
        }

        if (values.Count == 0)
        {
            throw ts.Fail("the clients saw nothing committed");
        }
    }

    /// <summary>Advances time by <paramref name="duration"/>, tick by tick, letting each client act when due.</summary>
    private static async Task RunClientsAsync(RaftTester ts, List<RaftChurnClient> clients, TimeSpan duration)
    {
        var end = ts.Cluster.Time.GetUtcNow() + duration;
        while (ts.Cluster.Time.GetUtcNow() < end)
        {
            foreach (var client in clients)
            {
                await client.StepAsync();
            }

            await ts.SleepAsync(ts.Cluster.Options.TickInterval);
        }
    }
}
