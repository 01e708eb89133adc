namespace OrleansRaft.Linearizability.Tests.Harness;

/// <summary>Assertions that print the checker's own explanation when they fail.</summary>
internal static class Verdict
{
    public static CheckResult Ok(IReadOnlyList<KvOperation> history, string? context = null)
    {
        var result = LinearizabilityChecker.Check(history);
        Assert.True(result.Outcome == CheckOutcome.Ok, $"{context}{(context is null ? "" : ": ")}expected Ok, got {result}");
        return result;
    }

    public static CheckResult Illegal(IReadOnlyList<KvOperation> history, string? key = null, string? context = null)
    {
        var result = LinearizabilityChecker.Check(history);
        var prefix = context is null ? "" : context + ": ";
        Assert.True(result.Outcome == CheckOutcome.Illegal, $"{prefix}expected Illegal, got {result}");
        if (key is not null)
        {
            Assert.True(key == result.Key, $"{prefix}expected key \"{key}\" to fail, got {result}");
        }

        Assert.NotEmpty(result.Counterexample);
        Assert.All(result.Counterexample, o => Assert.Contains(o, history));
        Assert.All(result.Counterexample, o => Assert.Equal(result.Key, o.Key));
        var again = LinearizabilityChecker.Check(result.Counterexample);
        Assert.True(again.Outcome == CheckOutcome.Illegal, $"{prefix}the counterexample itself checks as {again}");
        return result;
    }
}
