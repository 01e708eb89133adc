using OrleansRaft.Grains;
using OrleansRaft.Scenarios.Tests.Harness;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Properties;

/// <summary>Leader election as properties over seeded random faults, five replicas, several seeds each.</summary>
public sealed class ElectionProperties(ITestOutputHelper output)
{
    /// <summary>Ten maximum election timeouts (200 ms each here): the bound for a majority to elect a leader.</summary>
    private static readonly TimeSpan ElectionBound = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Whenever a majority is up and connected it elects one leader, which all of it follows, within
    /// <see cref="ElectionBound"/>, and keeps it while nothing else fails; a minority elects nobody. Each round fails
    /// up to ⌊(n-1)/2⌋ random nodes (the leader among them half the time), crashed or disconnected.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task LeaderElection(int defaultSeed)
    {
        await using var ts = await RaftTester.StartAsync(5, Seeds.For(defaultSeed), output: output);
        var invariants = new RaftInvariants(ts);
        var leader = await LeaderAmongAsync(ts, invariants, ts.Nodes);
        for (var round = 0; round < 8; round++)
        {
            var failing = ts.Random.Next(1, ((ts.Servers - 1) / 2) + 1);
            var victims = (ts.Random.Next(2) == 0 ? [leader] : Array.Empty<long>())
                .Concat(ts.Nodes.OrderBy(_ => ts.Random.Next()))
                .Distinct()
                .Take(failing)
                .ToList();
            foreach (var victim in victims)
            {
                if (ts.Random.Next(2) == 0)
                {
                    await ts.CrashAsync(victim);
                }
                else
                {
                    ts.Disconnect(victim);
                }
            }

            var healthy = ts.Nodes.Except(victims).ToList();
            leader = await LeaderAmongAsync(ts, invariants, healthy);

            // It stays leader, in the same term, while nothing else fails.
            var term = (await ts.StatusAsync(leader)).Term;
            await ts.TicksAsync(TimeSpan.FromSeconds(1), statuses =>
            {
                invariants.ElectionSafety(statuses);
                if (statuses.FirstOrDefault(s => s.NodeId == leader) is not { Role: "leader" } now || now.Term != term)
                {
                    throw ts.Fail($"leader {leader} of term {term} lost leadership with a majority {string.Join(",", healthy)} up and nothing failing");
                }

                return Task.CompletedTask;
            });

            if (round % 3 == 2)
            {
                // Fewer than a majority left connected: none of them may lead once the old leader's lease ran out.
                foreach (var node in healthy.Take(healthy.Count - ((ts.Servers - 1) / 2)))
                {
                    ts.Disconnect(node);
                }

                await ts.SleepAsync(RaftTester.ElectionTimeout);
                await ts.CheckNoLeaderAsync();
            }

            foreach (var node in ts.Nodes)
            {
                if (!ts.Cluster.IsRunning(node))
                {
                    await ts.RestartAsync(node);
                }

                ts.Connect(node);
            }

            leader = await LeaderAmongAsync(ts, invariants, ts.Nodes);
        }
    }

    /// <summary>
    /// At most one leader per term, sampled every tick over 8 s of seeded random faults of every kind (a majority
    /// down, partitions, one-way links, loss, duplicates, long reordering) while clients write.
    /// </summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    public async Task ElectionSafety(int defaultSeed)
    {
        await using var ts = await RaftTester.StartAsync(5, Seeds.For(defaultSeed), output: output);
        var invariants = new RaftInvariants(ts);
        var chaos = new RaftChaos(ts);
        await chaos.RunAsync(TimeSpan.FromSeconds(8), invariants.ElectionSafety);
        output.WriteLine($"{invariants.LeaderTerms} terms had a leader; {chaos.Faults.TenureFaults} of {chaos.Faults.Started} faults hit a leader untouched for {chaos.Faults.LeaderTenure.TotalSeconds} s");
        if (invariants.LeaderTerms < 3)
        {
            throw ts.Fail($"only {invariants.LeaderTerms} terms had a leader: the schedule did not exercise elections ({string.Join("; ", chaos.Faults.Events)})");
        }
    }

    /// <summary>Ticks until exactly one of <paramref name="nodes"/> leads and all of them follow it.</summary>
    private static async Task<long> LeaderAmongAsync(RaftTester ts, RaftInvariants invariants, IReadOnlyList<long> nodes)
    {
        long leader = 0;
        var deadline = ts.Cluster.Time.GetUtcNow() + ElectionBound;
        while (leader == 0)
        {
            if (ts.Cluster.Time.GetUtcNow() > deadline)
            {
                throw ts.Fail($"no leader followed by all of the majority {string.Join(",", nodes)} within {ElectionBound.TotalSeconds} s");
            }

            await ts.SleepAsync(ts.Cluster.Options.TickInterval);
            var statuses = await ts.StatusesAsync();
            invariants.ElectionSafety(statuses);
            var among = statuses.Where(s => nodes.Contains(s.NodeId)).ToList();
            if (among.Where(s => s.Role == "leader").MaxBy(s => s.Term) is { } candidate &&
                among.All(s => s.Leader == candidate.NodeId && s.Term == candidate.Term))
            {
                leader = candidate.NodeId;
            }
        }

        return leader;
    }
}
