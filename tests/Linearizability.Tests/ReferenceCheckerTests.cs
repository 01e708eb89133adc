using OrleansRaft.Linearizability.Tests.Harness;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>
/// The checker against linearizability by definition (every order tried) on thousands of small arbitrary
/// histories: its pruning must never change a verdict, and its counterexamples must hold up.
/// </summary>
public sealed class ReferenceCheckerTests
{
    public static TheoryData<int> SeedRange => Seeds.Range(10);

    [Theory]
    [MemberData(nameof(SeedRange))]
    public void VerdictsMatchTryingEveryOrder(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 500; round++)
        {
            var history = TinyHistory.Generate(random, random.Next(1, 9));
            var expected = BruteForce.IsLinearizable(history);
            var result = LinearizabilityChecker.Check(history);
            Assert.True(
                result.Outcome == (expected ? CheckOutcome.Ok : CheckOutcome.Illegal),
                $"{Seeds.Replay(seed, nameof(VerdictsMatchTryingEveryOrder))}, round {round}: expected {(expected ? "Ok" : "Illegal")}, got {result}\n{Describe(history)}");
        }
    }

    /// <summary>
    /// The same with values several appends long, of suffixes that overlap: what the look-ahead works out for each
    /// read (which places in its value the appends left can still finish, and whether the state starts it) is
    /// carried from step to step and through backtracking, and must come out as if worked out afresh.
    /// </summary>
    [Theory]
    [MemberData(nameof(SeedRange))]
    public void VerdictsMatchTryingEveryOrder_AppendHeavy(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 300; round++)
        {
            var history = AppendRun.Generate(random, random.Next(1, 10));
            var expected = BruteForce.IsLinearizable(history);
            var result = LinearizabilityChecker.Check(history);
            Assert.True(
                result.Outcome == (expected ? CheckOutcome.Ok : CheckOutcome.Illegal),
                $"{Seeds.Replay(seed, nameof(VerdictsMatchTryingEveryOrder_AppendHeavy))}, round {round}: expected {(expected ? "Ok" : "Illegal")}, got {result}\n{Describe(history)}");
        }
    }

    [Theory]
    [MemberData(nameof(SeedRange))]
    public void CounterexamplesAreIllegal_WhateverOtherWritesAreAddedBack(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 500; round++)
        {
            var history = TinyHistory.Generate(random, random.Next(1, 9));
            var result = LinearizabilityChecker.Check(history);
            if (result.Outcome != CheckOutcome.Illegal)
            {
                continue;
            }

            var replay = $"{Seeds.Replay(seed, nameof(CounterexamplesAreIllegal_WhateverOtherWritesAreAddedBack))}, round {round}";
            var counterexample = result.Counterexample;
            Assert.True(counterexample.All(history.Contains), $"{replay}: not a sub-history: {result}\n{Describe(history)}");
            var others = history.Where(o => o.Kind != KvOperationKind.Get && !counterexample.Contains(o)).ToList();
            for (var subset = 0; subset < 1 << others.Count; subset++)
            {
                var added = others.Where((_, i) => (subset & (1 << i)) != 0).ToList();
                Assert.False(
                    BruteForce.IsLinearizable([.. counterexample, .. added]),
                    $"{replay}: the counterexample is explained away by adding\n{Describe(added)}\n{result}\nfrom\n{Describe(history)}");
            }
        }
    }

    private static string Describe(IEnumerable<KvOperation> ops) => string.Join('\n', ops.Select(o => "  " + o));
}
