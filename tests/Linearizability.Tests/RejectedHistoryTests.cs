using OrleansRaft.Linearizability.Tests.Harness;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>Histories no linearizable store can produce: the checker must say Illegal and name the key.</summary>
public sealed class RejectedHistoryTests
{
    [Fact]
    public void StaleRead_AfterANewerPutCompleted()
    {
        var result = Verdict.Illegal(
        [
            Op.Put(1, "x", "1", 0, 1),
            Op.Put(2, "x", "2", 2, 3),
            Op.Get(3, "x", "1", 4, 5),
        ], "x");

        Assert.Equal(3, result.Counterexample.Count);
    }

    [Fact]
    public void LostAcknowledgedWrite_LaterReadsNeverSeeIt()
    {
        Verdict.Illegal(
        [
            Op.Put(1, "x", "old", 0, 1),
            Op.Put(1, "x", "new", 2, 3),
            Op.Get(2, "x", "old", 4, 5),
            Op.Get(3, "x", "old", 6, 7),
        ], "x");
    }

    [Fact]
    public void LostAcknowledgedWrite_OnAnAbsentKey()
    {
        Verdict.Illegal(
        [
            Op.Put(1, "x", "v", 0, 1),
            Op.Get(2, "x", null, 2, 3),
        ], "x");
    }

    [Fact]
    public void AppendAppliedTwice()
    {
        var result = Verdict.Illegal(
        [
            Op.Append(1, "x", "x", 0, 1),
            Op.Get(2, "x", "xx", 2, 3),
        ], "x");

        Assert.Equal(2, result.Counterexample.Count);
    }

    [Fact]
    public void AppendWithUnknownOutcome_AppliedTwice()
    {
        // A retried append without exactly-once: unknown outcome allows once or never, not twice.
        Verdict.Illegal(
        [
            Op.Append(1, "x", "x", 0, null),
            Op.Get(2, "x", "x", 5, 6),
            Op.Get(2, "x", "xx", 7, 8),
        ], "x");
    }

    [Fact]
    public void ValueSeenThenAbsent_WithoutAnyDelete()
    {
        Verdict.Illegal(
        [
            Op.Put(1, "x", "v", 0, 1),
            Op.Get(2, "x", "v", 2, 3),
            Op.Get(3, "x", null, 4, 5),
        ], "x");
    }

    [Fact]
    public void NonMonotonicReadsAcrossClients()
    {
        // The Put of 2 is still in flight, so either value may be read; but once client 2 has seen 2, client 3
        // (starting later) may not see 1 again.
        Verdict.Illegal(
        [
            Op.Put(1, "x", "1", 0, 1),
            Op.Put(1, "x", "2", 2, 20),
            Op.Get(2, "x", "2", 3, 4),
            Op.Get(3, "x", "1", 5, 6),
        ], "x");
    }

    [Fact]
    public void GetOfAValueNeverWritten()
    {
        var result = Verdict.Illegal(
        [
            Op.Put(1, "x", "a", 0, 1),
            Op.Put(2, "x", "b", 0, 3),
            Op.Get(3, "x", "ghost", 4, 5),
        ], "x");

        // Nothing could have produced it, so the read alone is the counterexample.
        Assert.Equal([KvOperationKind.Get], result.Counterexample.Select(o => o.Kind));
    }

    [Fact]
    public void ReadSeesAValueAfterItWasDeleted()
    {
        Verdict.Illegal(
        [
            Op.Put(1, "x", "v", 0, 1),
            Op.Delete(2, "x", 2, 3),
            Op.Get(3, "x", "v", 4, 5),
        ], "x");
    }

    [Fact]
    public void EmptyAppendCreatesTheKey_SoAbsentIsWrong()
    {
        Verdict.Illegal(
        [
            Op.Append(1, "x", "", 0, 1),
            Op.Get(2, "x", null, 2, 3),
        ], "x");
    }

    [Fact]
    public void ReadCannotSeeAWriteThatWasNotYetCalled()
    {
        Verdict.Illegal(
        [
            Op.Get(1, "x", "v", 0, 1),
            Op.Put(2, "x", "v", 2, null),
        ], "x");
    }

    [Fact]
    public void AppendsAppliedOutOfRealTimeOrder()
    {
        Verdict.Illegal(
        [
            Op.Append(1, "x", "a", 0, 1),
            Op.Append(1, "x", "b", 2, 3),
            Op.Get(2, "x", "ba", 4, 5),
        ], "x");
    }

    [Fact]
    public void OnlyTheBrokenKeyIsNamed_AmongHealthyOnes()
    {
        var history = new List<KvOperation>();
        for (var k = 0; k < 20; k++)
        {
            history.Add(Op.Put(k, $"key-{k}", "v", 0, 1));
            history.Add(Op.Get(k, $"key-{k}", "v", 2, 3));
        }

        history.Add(Op.Get(99, "key-13", null, 4, 5));
        Verdict.Illegal(history, "key-13");
    }

    [Fact]
    public void SeveralBrokenKeys_TheOrdinallySmallestIsReported()
    {
        var history = new List<KvOperation>();
        foreach (var key in new[] { "b", "a", "B", "c" })
        {
            history.Add(Op.Put(1, key, "v", 0, 1));
            history.Add(Op.Get(2, key, key == "c" ? "v" : null, 2, 3));
        }

        // "B" (0x42) sorts before "a" and "b" ordinally; "c" is fine.
        for (var run = 0; run < 10; run++)
        {
            Assert.Equal("B", LinearizabilityChecker.Check(history).Key);
        }
    }
}
