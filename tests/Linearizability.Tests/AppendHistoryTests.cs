using OrleansRaft.Linearizability.Tests.Harness;
using Xunit.Abstractions;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>
/// One key written only by appends and read half the time, as 6.5840's kvraft clients do: every value read is the
/// whole history of the key so far, so the values grow with the history. Only the verdicts are asserted; the times
/// are printed (dotnet test ... --logger "console;verbosity=detailed" shows them), never asserted.
/// </summary>
public sealed class AppendHistoryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, 1500)]
    [InlineData(5, 5000)]
    public void AppendsAndGetsOnOneKey(int clients, int operations)
    {
        const int Seed = 1;
        var shape = new HistoryShape(clients, 1, operations, UnknownWrites: 0.02) { GetPercent = 50, PutPercent = 0, AppendPercent = 50 };
        var history = RandomHistory.Generate(new Random(Seed), shape);
        var context = $"seed {Seed} ({shape})";

        var ok = Timed(history, "linearizable");
        Assert.True(ok.IsLinearizable, $"{context}: {ok}");

        var (wrong, read) = RandomHistory.WithNeverWrittenRead(new Random(Seed), history);
        var illegal = Timed(wrong, "one read of a value never written");
        Assert.True(illegal.Outcome == CheckOutcome.Illegal, $"{context}: {illegal}");
        Assert.Equal([read], illegal.Counterexample);
    }

    private CheckResult Timed(List<KvOperation> history, string what) => TimedCheck.Run(output, history, what);
}
