using OrleansRaft.Scenarios.Tests.Harness;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Raft;

/// <summary>MIT 6.5840 lab 3A: leader election, over replica grains in virtual time.</summary>
public sealed class ElectionScenarios(ITestOutputHelper output)
{
    [Fact]
    public async Task InitialElection()
    {
        await using var ts = await RaftTester.StartAsync(3, Seeds.For(1), output: output);

        // Is a leader elected?
        await ts.CheckOneLeaderAsync();

        // Let the followers learn of the election, then check that all peers agree on the term.
        await ts.SleepAsync(50);
        var term1 = await ts.CheckTermsAsync();
        if (term1 < 1)
        {
            throw ts.Fail($"term is {term1}, but should be at least 1");
        }

        // Do the leader and term stay the same without failures? 6.5840 only warns here; on a reliable network
        // in virtual time nothing can excuse a new term, so it is an error.
        await ts.SleepAsync(2 * RaftTester.ElectionTimeout);
        var term2 = await ts.CheckTermsAsync();
        if (term1 != term2)
        {
            throw ts.Fail($"term changed from {term1} to {term2} even though there were no failures");
        }

        // There should still be a leader.
        await ts.CheckOneLeaderAsync();
    }

    [Fact]
    public async Task ReElection()
    {
        await using var ts = await RaftTester.StartAsync(3, Seeds.For(1), output: output);
        var leader1 = await ts.CheckOneLeaderAsync();

        // If the leader disconnects, a new one should be elected.
        ts.Disconnect(leader1);
        await ts.CheckOneLeaderAsync();

        // The old leader rejoining should not disturb the new leader, and it should become a follower.
        ts.Connect(leader1);
        var leader2 = await ts.CheckOneLeaderAsync();

        // Without a quorum no new leader should be elected.
        ts.Disconnect(leader2);
        ts.Disconnect(ts.Peer(leader2, 1));
        await ts.SleepAsync(2 * RaftTester.ElectionTimeout);

        // The one connected server must not think it is the leader.
        await ts.CheckNoLeaderAsync();

        // If a quorum arises, it should elect a leader.
        ts.Connect(ts.Peer(leader2, 1));
        await ts.CheckOneLeaderAsync();

        // The last node rejoining should not prevent a leader from existing.
        ts.Connect(leader2);
        await ts.CheckOneLeaderAsync();
    }

    [Fact]
    public async Task ManyElections()
    {
        await using var ts = await RaftTester.StartAsync(7, Seeds.For(1), output: output);
        await ts.CheckOneLeaderAsync();

        for (var round = 1; round < 10; round++)
        {
            // Disconnect three nodes (perhaps the same one twice).
            var down = Enumerable.Range(0, 3).Select(_ => ts.Nodes[ts.Random.Next(ts.Servers)]).ToList();
            down.ForEach(ts.Disconnect);

            // Either the current leader is still alive, or the remaining four elect a new one.
            await ts.CheckOneLeaderAsync();

            down.ForEach(ts.Connect);
        }

        await ts.CheckOneLeaderAsync();
    }
}
