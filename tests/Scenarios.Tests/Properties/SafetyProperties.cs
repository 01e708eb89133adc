using OrleansRaft.Scenarios.Tests.Harness;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Properties;

/// <summary>Leader Completeness and State Machine Safety over seeded random faults, several seeds each.</summary>
public sealed class SafetyProperties(ITestOutputHelper output)
{
    /// <summary>
    /// Every acknowledged write is in the stored log of every leader of a term after the one that committed it:
    /// checked for each leader at each tick, under faults of every kind with clients writing.
    /// </summary>
    [Theory]
    [InlineData(51)]
    [InlineData(52)]
    [InlineData(53)]
    [InlineData(54)]
    public async Task LeaderCompleteness(int defaultSeed)
    {
        await using var ts = await RaftTester.StartAsync(5, Seeds.For(defaultSeed), output: output);
        var invariants = new RaftInvariants(ts);
        var chaos = new RaftChaos(ts);
        await chaos.RunAsync(TimeSpan.FromSeconds(8), statuses => invariants.LeaderCompleteness(statuses, chaos.Workload.Acknowledged));
        chaos.RequireProgress();
    }

    /// <summary>
    /// No two servers ever apply different entries at one index (a restarted server included), checked each tick;
    /// once healed, every replica's key/value state holds every acknowledged write.
    /// </summary>
    [Theory]
    [InlineData(61)]
    [InlineData(62)]
    [InlineData(63)]
    [InlineData(64)]
    public async Task StateMachineSafety(int defaultSeed)
    {
        await using var ts = await RaftTester.StartAsync(5, Seeds.For(defaultSeed), output: output);
        var invariants = new RaftInvariants(ts);
        var chaos = new RaftChaos(ts);
        await chaos.RunAsync(TimeSpan.FromSeconds(8), invariants.StateMachineSafety);

        var writes = chaos.Workload.Acknowledged;
        foreach (var node in ts.Nodes)
        {
            var values = await ts.ReadLocallyAsync(node, [.. writes.Select(w => w.Key)]);
            for (var i = 0; i < writes.Count; i++)
            {
                if (values[i] != writes[i].Value)
                {
                    throw ts.Fail($"node {node} reads {writes[i].Key} as {values[i] ?? "absent"}, acknowledged as {writes[i].Value}");
                }
            }
        }

        chaos.RequireProgress();
    }
}
