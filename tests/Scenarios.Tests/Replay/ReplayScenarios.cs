using OrleansRaft.Scenarios.Tests.Harness;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Replay;

/// <summary>
/// A seed replays its run: the same seed gives the same messages, in the same virtual time, with the same fates, so
/// the replay command a failure prints shows that failure again. With ORLEANSRAFT_TRACE_DIR set, each run writes its
/// trace there, to compare runs in different processes (diff two files: the first differing line is the divergence).
/// </summary>
public sealed class ReplayScenarios(ITestOutputHelper output)
{
    private int runs;

    /// <summary>
    /// ElectionSafety's run (five replicas, faults of every kind, three writing clients) twice from one seed: the two
    /// message traces are equal line for line.
    /// </summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public async Task ChaosReplaysFromItsSeed(int defaultSeed)
    {
        var seed = Seeds.For(defaultSeed);
        var first = await ChaosTraceAsync(seed);
        var second = await ChaosTraceAsync(seed);
        var diverged = Enumerable.Range(0, Math.Min(first.Count, second.Count)).FirstOrDefault(i => first[i] != second[i], -1);
        if (diverged == -1 && first.Count == second.Count)
        {
            output.WriteLine($"seed {seed}: both runs sent the same {first.Count} messages");
            return;
        }

        var at = diverged == -1 ? Math.Min(first.Count, second.Count) : diverged;
        throw new Xunit.Sdk.XunitException(
            $"two runs of seed {seed} diverged at message {at} of {first.Count} and {second.Count}:\n" +
            $"  first:  {string.Join("\n          ", first.Skip(Math.Max(0, at - 3)).Take(6))}\n" +
            $"  second: {string.Join("\n          ", second.Skip(Math.Max(0, at - 3)).Take(6))}\n({Seeds.Describe(seed, nameof(ChaosReplaysFromItsSeed))})");
    }

    private async Task<IReadOnlyList<string>> ChaosTraceAsync(int seed)
    {
        await using var ts = await RaftTester.StartAsync(5, seed, output: output, name: nameof(ChaosReplaysFromItsSeed));
        ts.Network.StartTrace();
        var invariants = new RaftInvariants(ts);
        var chaos = new RaftChaos(ts);
        await chaos.RunAsync(TimeSpan.FromSeconds(8), invariants.ElectionSafety);
        chaos.RequireProgress();
        var trace = ts.Network.Trace();
        output.WriteLine(
            $"seed {seed}: {trace.Count} messages, {ts.RpcCount()} RPCs, {chaos.Workload.Acknowledged.Count} writes acknowledged, " +
            $"{invariants.LeaderTerms} terms with a leader; faults: {string.Join("; ", chaos.Faults.Events)}");
        if (Environment.GetEnvironmentVariable("ORLEANSRAFT_TRACE_DIR") is { } folder)
        {
            var file = Path.Combine(folder, $"trace-seed{seed}-pid{Environment.ProcessId}-run{++runs}.txt");
            await File.WriteAllLinesAsync(file, trace);
            output.WriteLine($"trace written to {file}");
        }

        return trace;
    }
}
