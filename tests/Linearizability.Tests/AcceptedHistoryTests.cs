using OrleansRaft.Linearizability.Tests.Harness;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>Histories a linearizable store can produce, some only by one particular order: the checker must find it.</summary>
public sealed class AcceptedHistoryTests
{
    [Fact]
    public void EmptyHistory() => Assert.Equal(CheckOutcome.Ok, LinearizabilityChecker.Check([]).Outcome);

    [Fact]
    public void SequentialPutGetAppendDelete()
    {
        Verdict.Ok(
        [
            Op.Get(1, "x", null, 0, 1),
            Op.Put(1, "x", "a", 2, 3),
            Op.Get(1, "x", "a", 4, 5),
            Op.Append(1, "x", "b", 6, 7),
            Op.Get(1, "x", "ab", 8, 9),
            Op.Delete(1, "x", 10, 11),
            Op.Get(1, "x", null, 12, 13),
            Op.Append(1, "x", "c", 14, 15),
            Op.Get(1, "x", "c", 16, 17),
        ]);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    public void OverlappingPuts_EitherMayWin(string read)
    {
        Verdict.Ok(
        [
            Op.Put(1, "x", "1", 0, 10),
            Op.Put(2, "x", "2", 1, 9),
            Op.Get(3, "x", read, 11, 12),
        ]);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    public void ReadDuringAPut_SeesOldOrNew(string read)
    {
        Verdict.Ok(
        [
            Op.Put(1, "x", "1", 0, 1),
            Op.Put(1, "x", "2", 2, 10),
            Op.Get(2, "x", read, 3, 4),
        ]);
    }

    [Fact]
    public void ReadsDuringAPut_OldThenNewAcrossClients()
    {
        Verdict.Ok(
        [
            Op.Put(1, "x", "1", 0, 1),
            Op.Put(1, "x", "2", 2, 20),
            Op.Get(2, "x", "1", 3, 4),
            Op.Get(3, "x", "2", 5, 6),
            Op.Get(2, "x", "2", 7, 8),
        ]);
    }

    [Fact]
    public void OperationsThatTouchAtAnInstant_AreConcurrent()
    {
        // The read is called at the instant the put returns: calls come before returns at equal times.
        Verdict.Ok(
        [
            Op.Put(1, "x", "v", 0, 5),
            Op.Get(2, "x", null, 5, 6),
        ]);
    }

    [Fact]
    public void ConcurrentAppends_InTheOrderTheReadsShow()
    {
        Verdict.Ok(
        [
            Op.Append(1, "x", "a", 0, 10),
            Op.Append(2, "x", "b", 1, 9),
            Op.Append(3, "x", "c", 2, 8),
            Op.Get(4, "x", "c", 3, 4),
            Op.Get(4, "x", "cab", 11, 12),
        ]);
    }

    [Fact]
    public void DeleteConcurrentWithReads()
    {
        Verdict.Ok(
        [
            Op.Put(1, "x", "v", 0, 1),
            Op.Delete(1, "x", 2, 10),
            Op.Get(2, "x", "v", 3, 4),
            Op.Get(3, "x", null, 5, 6),
            Op.Put(2, "x", "w", 11, 12),
            Op.Get(3, "x", "w", 13, 14),
        ]);
    }

    [Fact]
    public void DeleteOfAnAbsentKey_AndEmptyValues()
    {
        Verdict.Ok(
        [
            Op.Delete(1, "x", 0, 1),
            Op.Get(1, "x", null, 2, 3),
            Op.Put(1, "x", "", 4, 5),
            Op.Get(2, "x", "", 6, 7),
            Op.Append(1, "y", "", 0, 1),
            Op.Get(2, "y", "", 2, 3),
        ]);
    }

    [Fact]
    public void ManyKeys_AreCheckedIndependently()
    {
        // Each key's operations overlap with every other key's; only per-key order matters.
        var history = new List<KvOperation>();
        for (var k = 0; k < 1000; k++)
        {
            var key = $"key-{k}";
            history.Add(Op.Put(k % 15, key, "a", k, k + 100));
            history.Add(Op.Append((k + 1) % 15, key, "b", k + 1, k + 101));
            history.Add(Op.Get((k + 2) % 15, key, k % 2 == 0 ? "ab" : "a", k + 2, k + 50));
            history.Add(Op.Get((k + 3) % 15, key, "ab", k + 200, k + 201));
        }

        var result = Verdict.Ok(history);
        Assert.Equal("Ok: linearizable (4000 operations on 1000 keys).", result.ToString());
    }

    [Fact]
    public void KeysDifferingOnlyInCase_AreDifferentKeys()
    {
        Verdict.Ok(
        [
            Op.Put(1, "x", "lower", 0, 1),
            Op.Put(1, "X", "upper", 2, 3),
            Op.Get(2, "x", "lower", 4, 5),
            Op.Get(2, "X", "upper", 4, 5),
        ]);
    }
}
