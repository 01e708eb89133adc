using OrleansRaft.Linearizability.Tests.Harness;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>Running out of time gives Unknown, never Ok; limits are set in steps or at zero so results do not depend on speed.</summary>
public sealed class SearchLimitTests
{
    [Fact]
    public void ZeroTimeout_IsUnknown_NeverOk()
    {
        KvOperation[] history = [Op.Put(1, "x", "v", 0, 1), Op.Get(2, "x", "v", 2, 3)];

        var result = LinearizabilityChecker.Check(history, TimeSpan.Zero);

        Assert.Equal(CheckOutcome.Unknown, result.Outcome);
        Assert.False(result.IsLinearizable);
        Assert.Equal("x", result.Key);
        Assert.Empty(result.Counterexample);
    }

    [Fact]
    public void ManyConcurrentAppends_ExhaustTheSearch()
    {
        var history = Pathological(24);

        Assert.Equal(CheckOutcome.Unknown, LinearizabilityChecker.Check(history, TimeSpan.Zero).Outcome);
        var limited = LinearizabilityChecker.Check(history, null, maxStepsPerKey: 100_000);
        Assert.Equal(CheckOutcome.Unknown, limited.Outcome);
        Assert.Equal("x", limited.Key);
    }

    [Fact]
    public void SmallerPathologicalHistory_IsDecidedIllegal()
    {
        // The same shape with few appends is searched to the end.
        var result = Verdict.Illegal(Pathological(5), "x");
        Assert.Contains(result.Counterexample, o => o.Kind == KvOperationKind.Get);
    }

    [Fact]
    public void AnIllegalKey_IsReportedEvenWhenAnotherKeyRanOutOfSteps()
    {
        var history = Pathological(24).ToList();
        history.AddRange([Op.Put(1, "y", "1", 0, 1), Op.Put(1, "y", "2", 2, 3), Op.Get(2, "y", "1", 4, 5)]);

        var result = LinearizabilityChecker.Check(history, null, maxStepsPerKey: 100_000);

        Assert.Equal(CheckOutcome.Illegal, result.Outcome);
        Assert.Equal("y", result.Key);
    }

    [Fact]
    public void WhenTheWholeSearchIsCutShort_EachReadIsTriedAlone()
    {
        // An append applied twice: no quick rule sees it, the search does.
        List<KvOperation> history =
        [
            Op.Put(1, "x", "a", 0, 1),
            Op.Append(1, "x", "+1", 2, 3),
            Op.Get(2, "x", "a+1", 4, 5),
            Op.Get(3, "x", "a+1+1", 6, 7),
            Op.Get(2, "x", "a+1", 8, 9),
        ];

        var outcome = KeyCheck.Run(history, SearchBudget.NoDeadline, long.MaxValue, null, out var failingRead, firstSteps: 1);

        Assert.Equal(SearchOutcome.Illegal, outcome);
        Assert.Same(history[3], failingRead);
        Assert.Equal(SearchOutcome.Linearizable, KeyCheck.Run([.. history.Where(o => o != history[3])], SearchBudget.NoDeadline, long.MaxValue, null, out _, firstSteps: 1));
    }

    [Fact]
    public void InfiniteTimeout_IsAccepted_NegativeIsNot()
    {
        KvOperation[] history = [Op.Put(1, "x", "v", 0, 1)];
        Assert.True(LinearizabilityChecker.Check(history, Timeout.InfiniteTimeSpan).IsLinearizable);
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearizabilityChecker.Check(history, TimeSpan.FromSeconds(-5)));
    }

    [Fact]
    public void MalformedOperations_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => LinearizabilityChecker.Check([Op.Get(1, "x", null, 5, 4)]));
        Assert.Throws<ArgumentException>(() => LinearizabilityChecker.Check(
            [new KvOperation { ClientId = 1, Kind = KvOperationKind.Put, Key = "x", Call = 0, Return = 1 }]));
        Assert.Throws<ArgumentException>(() => LinearizabilityChecker.Check(
            [new KvOperation { ClientId = 1, Kind = (KvOperationKind)9, Key = "x", Call = 0, Return = 1 }]));
    }

    /// <summary>
    /// Appends all concurrent with a Put, and a read after them all that saw the Put and one of the appends twice.
    /// No shortcut rules it out: the search has to try every set of appends before the Put (erased by it) with every
    /// order of the rest after it.
    /// </summary>
    private static List<KvOperation> Pathological(int appends)
    {
        var history = new List<KvOperation> { Op.Put(0, "x", "p", 1, 100) };
        for (var i = 0; i < appends; i++)
        {
            history.Add(Op.Append(i + 1, "x", $"+{i}", 1, 100));
        }

        history.Add(Op.Get(99, "x", "p+0+0", 200, 201));
        return history;
    }
}
