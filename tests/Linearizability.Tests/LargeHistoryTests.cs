using OrleansRaft.Linearizability.Tests.Harness;
using Xunit.Abstractions;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>
/// Histories of the size the cluster tests record. Only the verdicts are asserted; the times are printed
/// (dotnet test ... --logger "console;verbosity=detailed" shows them), never asserted.
/// </summary>
public sealed class LargeHistoryTests(ITestOutputHelper output)
{
    // Mostly appends, about 5 % of all operations appends (and a few puts and deletes) with an unknown outcome.
    private static HistoryShape ClusterTest(int operations, int clients, int keys) =>
        new(clients, keys, operations, UnknownWrites: 0.1) { GetPercent = 45, PutPercent = 5, AppendPercent = 45 };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FifteenClientsSevenKeys(int seed)
    {
        var shape = ClusterTest(1500, clients: 15, keys: 7);
        var history = RandomHistory.Generate(new Random(seed), shape);
        var replay = $"{Seeds.Replay(seed, nameof(FifteenClientsSevenKeys))} ({shape})";

        var ok = Timed(history, "linearizable");
        Assert.True(ok.IsLinearizable, $"{replay}: {ok}");

        var (stale, read) = RandomHistory.WithStaleRead(new Random(seed), history)
            ?? throw new InvalidOperationException($"{replay}: no stale read to make");
        var illegal = Timed(stale, "one stale read");
        Assert.True(illegal.Outcome == CheckOutcome.Illegal, $"{replay}: {illegal}");
        Assert.True(illegal.Counterexample.Contains(read), $"{replay}, changed {read}: {illegal}");
        output.WriteLine(illegal.ToString());
    }

    [Theory]
    [InlineData(5, 45)] // mostly appends: values read are long and order-sensitive
    [InlineData(20, 25)] // more puts: fewer long values, more overwrites to place
    public void FifteenClientsOnOneKey(int putPercent, int appendPercent)
    {
        const int Seed = 1;
        var shape = new HistoryShape(15, 1, 1500, UnknownWrites: 0.1) { PutPercent = putPercent, AppendPercent = appendPercent };
        var history = RandomHistory.Generate(new Random(Seed), shape);
        var context = $"seed {Seed} ({shape})";

        var ok = Timed(history, "linearizable, one key");
        Assert.True(ok.IsLinearizable, $"{context}: {ok}");

        var (stale, read) = RandomHistory.WithStaleRead(new Random(Seed), history)
            ?? throw new InvalidOperationException($"{context}: no stale read to make");
        var illegal = Timed(stale, "one stale read, one key");
        Assert.True(illegal.Outcome == CheckOutcome.Illegal, $"{context}: {illegal}");
        Assert.True(illegal.Counterexample.Contains(read), $"{context}, changed {read}: {illegal}");
    }

    [Fact]
    public void HundredThousandOperationsOverAThousandKeys()
    {
        const int Seed = 7;
        var shape = ClusterTest(100_000, clients: 50, keys: 1000);
        var history = RandomHistory.Generate(new Random(Seed), shape);

        var ok = Timed(history, "linearizable");
        Assert.True(ok.IsLinearizable, $"seed {Seed} ({shape}): {ok}");

        var (neverWritten, read) = RandomHistory.WithNeverWrittenRead(new Random(Seed), history);
        var illegal = Timed(neverWritten, "one read of a value never written");
        Assert.Equal(CheckOutcome.Illegal, illegal.Outcome);
        Assert.Equal(read.Key, illegal.Key);
        Assert.Equal([read], illegal.Counterexample);
    }

    private CheckResult Timed(List<KvOperation> history, string what) => TimedCheck.Run(output, history, what);
}
