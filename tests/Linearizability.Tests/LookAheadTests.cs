using OrleansRaft.Linearizability.Tests.Harness;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>
/// The search carries what its look-ahead worked out for each read from step to step (which places in the value the
/// appends left can finish, whether the state starts it). A look-ahead that answers "maybe" too often changes no
/// verdict, only the work, so verdicts alone would not show a mistake there: the search must take exactly the same
/// steps as one that works everything out afresh at every step.
/// </summary>
public sealed class LookAheadTests
{
    public static TheoryData<int> SeedRange => Seeds.Range(10);

    [Theory]
    [MemberData(nameof(SeedRange))]
    public void CarryingOverTakesTheSameStepsAsStartingAfresh(int seed)
    {
        var random = new Random(seed);
        var histories = new List<(string What, List<KvOperation> Ops)>();
        for (var round = 0; round < 200; round++)
        {
            histories.Add(($"small history {round}", AppendRun.Generate(random, random.Next(1, 12))));
        }

        for (var round = 0; round < 6; round++)
        {
            var shape = new HistoryShape(random.Next(1, 7), 1, random.Next(50, 300), random.Next(4) * 0.05)
            {
                GetPercent = 45,
                PutPercent = round % 3 == 0 ? 5 : 0,
                AppendPercent = round % 3 == 0 ? 45 : 55,
            };
            var history = RandomHistory.Generate(random, shape);
            histories.Add(($"{shape}", history));
            histories.Add(($"{shape}, one read of a value never written", RandomHistory.WithNeverWrittenRead(random, history).History));
        }

        foreach (var (what, history) in histories)
        {
            // As the checker searches a key: without reads whose reply was lost, or writes no read can have seen.
            var ops = UnobservedWrites.Drop(history.FindAll(o => o.Kind != KvOperationKind.Get || o.Return is not null));
            var carried = new SearchBudget(SearchBudget.NoDeadline, 200_000);
            var afresh = new SearchBudget(SearchBudget.NoDeadline, 200_000);
            var outcome = KeySearch.Run(ops, carried);
            var expected = KeySearch.Run(ops, afresh, carryOver: false);
            Assert.True(
                outcome == expected && carried.StepsUsed == afresh.StepsUsed,
                $"{Seeds.Replay(seed, nameof(CarryingOverTakesTheSameStepsAsStartingAfresh))}, {what}: {outcome} in {carried.StepsUsed} steps, afresh {expected} in {afresh.StepsUsed}");
        }
    }
}
