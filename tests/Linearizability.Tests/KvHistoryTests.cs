namespace OrleansRaft.Linearizability.Tests;

/// <summary>The recorder: positions on one clock, outcomes, and many threads at once.</summary>
public sealed class KvHistoryTests
{
    [Fact]
    public void RecordsCallAndReturnInRealTimeOrder()
    {
        var history = new KvHistory();
        var put = history.Begin(1, KvOperationKind.Put, "x", "v");
        history.Complete(put);
        var get = history.Begin(2, KvOperationKind.Get, "x");
        history.Complete(get, "v");

        var ops = history.Operations;
        Assert.Equal(2, ops.Count);
        Assert.Equal(2, history.Count);
        Assert.Equal(KvOperationKind.Put, ops[0].Kind);
        Assert.Equal("v", ops[0].Input);
        Assert.True(ops[0].Call < ops[0].Return && ops[0].Return < ops[1].Call && ops[1].Call < ops[1].Return);
        Assert.Equal(("v", 2, "x"), (ops[1].Output, ops[1].ClientId, ops[1].Key));
        Assert.True(LinearizabilityChecker.Check(ops).IsLinearizable);
    }

    [Fact]
    public void FailedOperationsAreDropped()
    {
        var history = new KvHistory();
        var refused = history.Begin(1, KvOperationKind.Put, "x", "refused");
        history.Failed(refused);
        var get = history.Begin(2, KvOperationKind.Get, "x");
        history.Complete(get, null);

        Assert.Equal(1, history.Count);
        Assert.Equal([KvOperationKind.Get], history.Operations.Select(o => o.Kind));
        Assert.True(LinearizabilityChecker.Check(history.Operations).IsLinearizable);
    }

    [Fact]
    public void UnknownOperationsStay_WithoutAReturn()
    {
        var history = new KvHistory();
        var put = history.Begin(1, KvOperationKind.Put, "x", "v");
        history.Unknown(put);

        var op = Assert.Single(history.Operations);
        Assert.Null(op.Return);
        Assert.Equal("v", op.Input);
    }

    [Fact]
    public void PendingOperationsCountAsUnknown_UntilResolved()
    {
        var history = new KvHistory();
        var append = history.Begin(1, KvOperationKind.Append, "x", "a");

        var before = Assert.Single(history.Operations);
        Assert.Null(before.Return);
        Assert.Equal(1, history.Count);

        // A snapshot is a snapshot: completing later does not change it.
        history.Complete(append);
        Assert.Null(before.Return);
        Assert.NotNull(Assert.Single(history.Operations).Return);
    }

    [Fact]
    public void PendingWriteThatWasSeen_IsStillLinearizable()
    {
        var history = new KvHistory();
        history.Begin(1, KvOperationKind.Put, "x", "v"); // the test ends before its reply
        var get = history.Begin(2, KvOperationKind.Get, "x");
        history.Complete(get, "v");

        Assert.True(LinearizabilityChecker.Check(history.Operations).IsLinearizable);
    }

    [Fact]
    public void AnOperationIsResolvedOnce()
    {
        var history = new KvHistory();
        var put = history.Begin(1, KvOperationKind.Put, "x", "v");
        history.Complete(put);
        Assert.Throws<InvalidOperationException>(() => history.Unknown(put));
        Assert.Throws<InvalidOperationException>(() => history.Failed(put));
        Assert.Throws<InvalidOperationException>(() => history.Complete(put));
        Assert.Throws<ArgumentException>(() => new KvHistory().Complete(history.Begin(1, KvOperationKind.Get, "x")));
    }

    [Fact]
    public void WritesNeedAnInput()
    {
        var history = new KvHistory();
        Assert.Throws<ArgumentNullException>(() => history.Begin(1, KvOperationKind.Put, "x"));
        Assert.Throws<ArgumentNullException>(() => history.Begin(1, KvOperationKind.Append, "x"));
        history.Begin(1, KvOperationKind.Delete, "x");
    }

    [Fact]
    public void ManyThreadsAgainstALinearizableStore_RecordALinearizableHistory()
    {
        const int Threads = 8;
        // Real threads interleave differently every run; a size the search always settles in seconds keeps this a test
        // of the recorder, not of the search's worst case (see LargeHistoryTests for those).
        const int OpsPerThread = 300;
        var history = new KvHistory();
        var store = new Dictionary<string, string>(StringComparer.Ordinal);
        var gate = new object();
        var recorded = new int[Threads];
        using var start = new Barrier(Threads);

        var threads = Enumerable.Range(0, Threads).Select(client => new Thread(() =>
        {
            var random = new Random(client);
            start.SignalAndWait();
            for (var i = 0; i < OpsPerThread; i++)
            {
                var key = $"k{random.Next(5)}";
                var kind = (KvOperationKind)random.Next(4);
                var input = kind is KvOperationKind.Put or KvOperationKind.Append ? $"{client}.{i};" : null;
                var op = history.Begin(client, kind, key, input);
                var fate = random.Next(20); // 0: refused before applying, 1: applied but reply lost, 2: lost before applying
                if (fate == 0)
                {
                    history.Failed(op);
                    continue;
                }

                recorded[client]++;
                if (fate == 2)
                {
                    history.Unknown(op);
                    continue;
                }

                string? output;
                lock (gate)
                {
                    output = Apply(store, kind, key, input);
                }

                if (fate == 1)
                {
                    history.Unknown(op);
                }
                else
                {
                    history.Complete(op, output);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var ops = history.Operations;
        Assert.Equal(recorded.Sum(), history.Count);
        Assert.Equal(recorded.Sum(), ops.Count);
        var positions = ops.Select(o => o.Call).Concat(ops.Where(o => o.Return is not null).Select(o => o.Return!.Value)).ToList();
        Assert.Equal(positions.Count, positions.Distinct().Count());
        Assert.True(ops.Zip(ops.Skip(1)).All(p => p.First.Call < p.Second.Call), "Operations is in call order");
        var result = LinearizabilityChecker.Check(ops);
        Assert.True(result.IsLinearizable, result.ToString());
    }

    [Fact]
    public void AStoreReadingFromALaggingReplica_IsCaught()
    {
        // Writes go to the primary; reads come from a copy that is one write behind.
        var history = new KvHistory();
        string? primary = null, replica = null;
        for (var i = 0; i < 3; i++)
        {
            var put = history.Begin(1, KvOperationKind.Put, "x", $"v{i}");
            replica = primary;
            primary = $"v{i}";
            history.Complete(put);

            var get = history.Begin(2, KvOperationKind.Get, "x");
            history.Complete(get, replica);
        }

        var result = LinearizabilityChecker.Check(history.Operations);
        Assert.Equal(CheckOutcome.Illegal, result.Outcome);
        Assert.Equal("x", result.Key);
        Assert.True(result.Counterexample.Count <= 3, result.ToString());
    }

    private static string? Apply(Dictionary<string, string> store, KvOperationKind kind, string key, string? input)
    {
        switch (kind)
        {
            case KvOperationKind.Get:
                return store.GetValueOrDefault(key);
            case KvOperationKind.Put:
                store[key] = input!;
                return null;
            case KvOperationKind.Append:
                store[key] = store.GetValueOrDefault(key) + input;
                return null;
            default:
                store.Remove(key);
                return null;
        }
    }
}
