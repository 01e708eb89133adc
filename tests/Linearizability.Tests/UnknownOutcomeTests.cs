using OrleansRaft.Linearizability.Tests.Harness;

namespace OrleansRaft.Linearizability.Tests;

/// <summary>
/// Operations whose reply was lost (Return = null): each took effect once at some time after its call, or never.
/// </summary>
public sealed class UnknownOutcomeTests
{
    [Fact]
    public void UnknownPut_ThatIsSeen()
    {
        Verdict.Ok(
        [
            Op.Put(1, "x", "v", 0, null),
            Op.Get(2, "x", "v", 5, 6),
            Op.Get(2, "x", "v", 7, 8),
        ]);
    }

    [Fact]
    public void UnknownPut_NeverSeen()
    {
        Verdict.Ok(
        [
            Op.Put(1, "x", "v", 0, null),
            Op.Get(2, "x", null, 5, 6),
            Op.Get(2, "x", null, 7, 8),
        ]);
    }

    [Fact]
    public void UnknownPut_SeenLate()
    {
        Verdict.Ok(
        [
            Op.Put(1, "x", "v", 0, null),
            Op.Get(2, "x", null, 5, 6),
            Op.Get(2, "x", "v", 7, 8),
        ]);
    }

    [Fact]
    public void UnknownPut_SeenThenGone_IsIllegal()
    {
        Verdict.Illegal(
        [
            Op.Put(1, "x", "v", 0, null),
            Op.Get(2, "x", "v", 5, 6),
            Op.Get(2, "x", null, 7, 8),
        ], "x");
    }

    [Fact]
    public void UnknownPut_MayTakeEffectAfterALaterPut()
    {
        // The client gave up on "old", wrote "new"; the lost request then arrived and overwrote it.
        Verdict.Ok(
        [
            Op.Put(1, "x", "old", 0, null),
            Op.Put(1, "x", "new", 5, 6),
            Op.Get(2, "x", "old", 7, 8),
        ]);
    }

    [Fact]
    public void UnknownAppend_SeenOnce()
    {
        Verdict.Ok(
        [
            Op.Put(1, "x", "a", 0, 1),
            Op.Append(1, "x", "b", 2, null),
            Op.Append(2, "x", "c", 3, 4),
            Op.Get(3, "x", "acb", 5, 6),
            Op.Get(3, "x", "acb", 7, 8),
        ]);
    }

    [Fact]
    public void UnknownAppends_NeverSeen()
    {
        var history = new List<KvOperation> { Op.Put(1, "x", "", 0, 1) };
        for (var i = 0; i < 40; i++)
        {
            history.Add(Op.Append(2 + i, "x", $"+{i}", 2 + i, null));
        }

        for (var i = 0; i < 40; i++)
        {
            history.Add(Op.Get(1, "x", "", 100 + (2 * i), 101 + (2 * i)));
        }

        Verdict.Ok(history);
    }

    [Fact]
    public void UnknownDelete_EitherWay()
    {
        Verdict.Ok(
        [
            Op.Put(1, "x", "v", 0, 1),
            Op.Delete(1, "x", 2, null),
            Op.Get(2, "x", "v", 3, 4),
            Op.Get(2, "x", null, 5, 6),
        ]);
    }

    [Fact]
    public void UnknownGet_CarriesNoInformation()
    {
        Verdict.Ok(
        [
            Op.Put(1, "x", "v", 0, 1),
            Op.Get(2, "x", "never written", 2, null),
            Op.Get(3, "x", null, 3, null),
        ]);
    }

    [Fact]
    public void OnlyUnknownOperations()
    {
        Verdict.Ok(
        [
            Op.Put(1, "x", "v", 0, null),
            Op.Append(2, "x", "w", 1, null),
            Op.Delete(3, "x", 2, null),
        ]);
    }
}
