using System.Diagnostics;
using OrleansRaft.Testing.Linearizability;
using Xunit.Abstractions;

namespace OrleansRaft.Linearizability.Tests.Harness;

/// <summary>Checks a history and prints how long it took; times are printed, never asserted.</summary>
internal static class TimedCheck
{
    public static CheckResult Run(ITestOutputHelper output, List<KvOperation> history, string what)
    {
        var clock = Stopwatch.StartNew();
        var result = LinearizabilityChecker.Check(history);
        output.WriteLine($"{history.Count} operations, {what}: {result.Outcome} in {clock.Elapsed.TotalMilliseconds:0} ms");
        return result;
    }
}
