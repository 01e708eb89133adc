using OrleansRaft.Linearizability.Tests.Harness;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>
/// Histories of a real sequential store with random overlapping intervals must check Ok; the same histories with
/// one read changed to a value no interleaving allows must check Illegal, with that read in the counterexample.
/// </summary>
public sealed class RandomHistoryTests
{
    public static TheoryData<int> SeedRange => Seeds.Range(60);

    [Theory]
    [MemberData(nameof(SeedRange))]
    public void RealExecution_IsLinearizable(int seed)
    {
        var (history, shape) = Generate(seed);
        var result = LinearizabilityChecker.Check(history);
        Assert.True(result.IsLinearizable, $"{Seeds.Replay(seed, nameof(RealExecution_IsLinearizable))} ({shape}): {result}");
    }

    [Theory]
    [MemberData(nameof(SeedRange))]
    public void ReadOfAValueNeverWritten_IsIllegal(int seed)
    {
        var (history, shape) = Generate(seed);
        var (mutated, read) = RandomHistory.WithNeverWrittenRead(new Random(seed), history);
        var replay = $"{Seeds.Replay(seed, nameof(ReadOfAValueNeverWritten_IsIllegal))} ({shape}, changed: {read})";

        var result = LinearizabilityChecker.Check(mutated);

        Assert.True(result.Outcome == CheckOutcome.Illegal, $"{replay}: {result}");
        Assert.True(result.Key == read.Key, $"{replay}: {result}");
        Assert.True(result.Counterexample.SequenceEqual([read]), $"{replay}: {result}");
    }

    [Theory]
    [MemberData(nameof(SeedRange))]
    public void StaleRead_IsIllegal(int seed)
    {
        var (history, shape) = Generate(seed);
        if (RandomHistory.WithStaleRead(new Random(seed), history) is not var (mutated, read))
        {
            return; // no Put in this history was definitely overwritten before a later read
        }

        var replay = $"{Seeds.Replay(seed, nameof(StaleRead_IsIllegal))} ({shape}, changed: {read})";

        var result = LinearizabilityChecker.Check(mutated);

        Assert.True(result.Outcome == CheckOutcome.Illegal, $"{replay}: {result}");
        Assert.True(result.Key == read.Key, $"{replay}: {result}");

        // The rest of the history is linearizable, so a counterexample without the changed read would be one
        // made up by the minimizer.
        Assert.True(result.Counterexample.Contains(read), $"{replay}: the changed read is not in {result}");
        Assert.True(LinearizabilityChecker.Check(result.Counterexample).Outcome == CheckOutcome.Illegal, $"{replay}: {result}");
        Assert.True(result.Counterexample.All(o => mutated.Contains(o)), $"{replay}: {result}");
    }

    [Theory]
    [MemberData(nameof(SeedRange))]
    public void RemovingReads_KeepsALinearizableHistoryLinearizable(int seed)
    {
        var (history, shape) = Generate(seed);
        var random = new Random(seed);
        var fewer = history.Where(o => o.Kind != KvOperationKind.Get || random.Next(2) == 0).ToList();
        var result = LinearizabilityChecker.Check(fewer);
        Assert.True(result.IsLinearizable, $"{Seeds.Replay(seed, nameof(RemovingReads_KeepsALinearizableHistoryLinearizable))} ({shape}): {result}");
    }

    private static (List<KvOperation> History, HistoryShape Shape) Generate(int seed)
    {
        var random = new Random(seed);
        var shape = new HistoryShape(
            Clients: random.Next(2, 9),
            Keys: random.Next(1, 4),
            Operations: random.Next(30, 250),
            UnknownWrites: random.Next(4) * 0.05)
        {
            // Some seeds write mostly by appending, which makes the values read long and order-sensitive.
            PutPercent = seed % 3 == 0 ? 5 : 20,
            AppendPercent = seed % 3 == 0 ? 45 : 25,
        };
        return (RandomHistory.Generate(random, shape), shape);
    }
}
