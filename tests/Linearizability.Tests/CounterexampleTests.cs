using OrleansRaft.Linearizability.Tests.Harness;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>What a failed check shows a developer: a small counterexample, faithful to the history, printed readably.</summary>
public sealed class CounterexampleTests
{
    private static readonly KvOperation[] StaleRead =
    [
        Op.Put(1, "x", "1", 1000, 1001),
        Op.Put(2, "x", "2", 1002, 1003),
        Op.Get(3, "x", "1", 1004, 1005),
    ];

    [Fact]
    public void StaleRead_PaddedWith200OperationsOnTheSameKey_ShrinksToTheThreeThatMatter()
    {
        var history = new List<KvOperation>();
        string? value = null;
        for (var i = 0; i < 100; i++)
        {
            // A correct sequential past of the same key, from other clients.
            var call = 2 * i;
            var client = 10 + (i % 5);
            KvOperation op = (i % 4) switch
            {
                0 => Op.Put(client, "x", $"pad{i}", call, call + 1),
                1 => Op.Append(client, "x", $"+{i}", call, call + 1),
                2 => Op.Get(client, "x", value, call, call + 1),
                _ => i % 8 == 3 ? Op.Delete(client, "x", call, call + 1) : Op.Get(client, "x", value, call, call + 1),
            };
            value = op.Kind switch
            {
                KvOperationKind.Put => op.Input,
                KvOperationKind.Append => value + op.Input,
                KvOperationKind.Delete => null,
                _ => value,
            };
            history.Add(op);
        }

        history.AddRange(StaleRead);
        for (var i = 0; i < 50; i++)
        {
            // ... and a correct future after it.
            var call = 2000 + (4 * i);
            history.Add(Op.Put(20, "x", $"later{i}", call, call + 1));
            history.Add(Op.Get(21, "x", $"later{i}", call + 2, call + 3));
        }

        var result = Verdict.Illegal(history, "x");

        Assert.Equal(StaleRead, result.Counterexample);
    }

    [Fact]
    public void ShrinkingDoesNotInventAFailure_ByDroppingADelete()
    {
        // Without the Delete, "Put a; Get absent" would look like a lost write; the real failure is the stale read.
        KvOperation[] history =
        [
            Op.Put(1, "x", "a", 0, 1),
            Op.Delete(1, "x", 2, 3),
            Op.Get(2, "x", null, 4, 5),
            .. StaleRead,
        ];

        var result = Verdict.Illegal(history, "x");

        Assert.Equal(StaleRead, result.Counterexample);
    }

    [Fact]
    public void ConcurrentWritesThatCouldExplainARead_AreKept()
    {
        KvOperation[] history =
        [
            Op.Put(1, "x", "1", 0, 1),
            Op.Append(2, "x", "b", 2, 9),
            Op.Put(3, "x", "2", 3, 4),
            Op.Get(4, "x", "1", 5, 6), // stale: "2" overwrote "1" before this read began
            Op.Get(4, "x", "2b", 10, 11),
        ];

        var result = Verdict.Illegal(history, "x");

        Assert.Contains(history[3], result.Counterexample);
        Assert.Contains(history[0], result.Counterexample);
        Assert.Contains(history[2], result.Counterexample);
    }

    [Fact]
    public void ToString_ShowsOutcomeKeyAndOneOperationPerLineInCallOrder()
    {
        KvOperation[] history =
        [
            Op.Get(3, "x", "1", 1004, 1005),
            Op.Put(12, "x", "2", 1002, 1003),
            Op.Put(1, "x", "1", 1000, 1001),
            Op.Append(4, "x", "tail", 1003, null),
            Op.Get(5, "other", null, 0, 1),
        ];

        var text = LinearizabilityChecker.Check(history).ToString();

        var lines = text.Split('\n');
        Assert.StartsWith("Illegal: the operations on key \"x\" are not linearizable", lines[0]);
        Assert.Contains("Counterexample: 3 of the key's 4 operations, in call order", text);
        Assert.Contains("return ? = outcome unknown", text);
        Assert.Equal(
            [
                "  client 1  Put    \"x\" \"1\" [1000, 1001]",
                "  client 12 Put    \"x\" \"2\" [1002, 1003]",
                "  client 3  Get    \"x\" -> \"1\" [1004, 1005]",
            ],
            lines[^3..]);
    }

    [Fact]
    public void ToString_ShowsAbsentValuesUnknownReturnsAndEscapes()
    {
        Assert.Equal("client 7 Get \"k\\n\" -> (absent) [3, 4]", Op.Get(7, "k\n", null, 3, 4).ToString());
        Assert.Equal("client 7 Append \"k\" \"say \\\"hi\\\"\" [3, ?]", Op.Append(7, "k", "say \"hi\"", 3, null).ToString());
        Assert.Equal("client 7 Delete \"k\" [3, 4]", Op.Delete(7, "k", 3, 4).ToString());

        var longValue = new string('a', 100) + "MIDDLE" + new string('z', 100);
        var shown = Op.Put(1, "k", longValue, 0, 1).ToString();
        Assert.Contains("...(46 more chars)...", shown);
        Assert.DoesNotContain("MIDDLE", shown);
        Assert.EndsWith(new string('z', 80) + "\" [0, 1]", shown);
    }

    [Fact]
    public void ToString_ForOkAndUnknown()
    {
        KvOperation[] history = [Op.Put(1, "x", "v", 0, 1), Op.Get(2, "x", "v", 2, 3)];

        Assert.Equal("Ok: linearizable (2 operations on 1 keys).", LinearizabilityChecker.Check(history).ToString());
        var unknown = LinearizabilityChecker.Check(history, TimeSpan.Zero).ToString();
        Assert.StartsWith("Unknown: the search ran out of time (0 s) on key \"x\" before it found a linearization or proved there is none", unknown);
        Assert.Contains("no evidence either way", unknown);
    }
}
