using OrleansRaft.Scenarios.Tests.Harness;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Properties;

/// <summary>The replicated log as properties over seeded random faults while clients write, several seeds each.</summary>
public sealed class LogProperties(ITestOutputHelper output)
{
    /// <summary>
    /// Writes go on while up to ⌊(n-1)/2⌋ nodes are down, cut off or on the small side of a split, and the network
    /// loses and delays messages; once all is healed every replica holds every acknowledged write at the index it
    /// was acknowledged at, and all logs are the same up to the commit index.
    /// </summary>
    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    [InlineData(24)]
    public async Task LogReplication(int defaultSeed)
    {
        await using var ts = await RaftTester.StartAsync(5, Seeds.For(defaultSeed), output: output);
        var chaos = new RaftChaos(ts, keepMajority: true);
        var converged = await chaos.RunAsync(TimeSpan.FromSeconds(6), _ => { });
        var commit = converged[0].CommitIndex;
        var leaderLog = ts.Cluster.RecordedLog(converged[0].Leader).Entries();
        foreach (var node in ts.Nodes)
        {
            var log = ts.Cluster.RecordedLog(node);
            for (var index = 1; index <= commit; index++)
            {
                if (log.Entry(index) is not { } entry || !RaftInvariants.Same(entry, leaderLog[(int)index - 1]))
                {
                    throw ts.Fail($"node {node} holds {RaftInvariants.Describe(log.Entry(index))} at {index}, the leader {RaftInvariants.Describe(leaderLog[(int)index - 1])}");
                }
            }

            foreach (var write in chaos.Workload.Acknowledged)
            {
                if (log.Entry(write.Index) is not { } entry || !RaftInvariants.Same(entry, write.Entry))
                {
                    throw ts.Fail($"node {node} lacks acknowledged {write.Key}={write.Value} at {write.Index}");
                }
            }
        }

        chaos.RequireProgress();
    }

    /// <summary>
    /// A leader never overwrites or deletes its entries, only appends: each tick, every leader's stored log still
    /// holds all it held at the previous tick of its term. Faults of every kind, clients writing.
    /// </summary>
    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(34)]
    public async Task LeaderAppendOnly(int defaultSeed)
    {
        await using var ts = await RaftTester.StartAsync(5, Seeds.For(defaultSeed), output: output);
        var invariants = new RaftInvariants(ts);
        var chaos = new RaftChaos(ts);
        await chaos.RunAsync(TimeSpan.FromSeconds(8), invariants.LeaderAppendOnly);
        chaos.RequireProgress();
    }

    /// <summary>
    /// If two logs hold an entry with the same index and term, they are identical up to it: every pair of stored
    /// logs, checked each tick, under faults of every kind with clients writing; and all logs equal once healed.
    /// </summary>
    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    [InlineData(43)]
    [InlineData(44)]
    public async Task LogMatching(int defaultSeed)
    {
        await using var ts = await RaftTester.StartAsync(5, Seeds.For(defaultSeed), output: output);
        var invariants = new RaftInvariants(ts);
        var chaos = new RaftChaos(ts);
        await chaos.RunAsync(TimeSpan.FromSeconds(8), _ => invariants.LogMatching());
        var first = ts.Cluster.RecordedLog(ts.Nodes[0]).Entries();
        foreach (var node in ts.Nodes.Skip(1))
        {
            var log = ts.Cluster.RecordedLog(node).Entries();
            if (log.Count != first.Count || log.Where((e, i) => !RaftInvariants.Same(e, first[i])).Any())
            {
                throw ts.Fail($"after healing, the logs of nodes {ts.Nodes[0]} and {node} differ ({first.Count} and {log.Count} entries)");
            }
        }

        chaos.RequireProgress();
    }
}
