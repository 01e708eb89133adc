using System.Diagnostics;
using OrleansRaft.Testing.Linearizability;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Harness;

/// <summary>Checks a scenario's recorded history and fails the test with the checker's counterexample.</summary>
public static class KvLinearizability
{
    /// <summary>
    /// Far above what these histories need (milliseconds): Unknown would prove nothing, so the test fails on it
    /// rather than assume the history is fine, as 6.5840 does.
    /// </summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(60);

    public static void AssertLinearizable(KvHistory history, string replay, ITestOutputHelper? output = null)
    {
        var operations = history.Operations;
        var watch = Stopwatch.StartNew();
        var result = LinearizabilityChecker.Check(operations, CheckTimeout);
        watch.Stop();
        output?.WriteLine($"history: {operations.Count} operations ({operations.Count(o => o.Return is null)} with unknown outcome), checked in {watch.Elapsed.TotalMilliseconds:0} ms: {result.Outcome}");
        Assert.True(result.IsLinearizable, $"{result}\n{replay}");
    }
}
