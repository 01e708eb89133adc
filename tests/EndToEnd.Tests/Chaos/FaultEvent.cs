namespace OrleansRaft.EndToEnd.Tests.Chaos;

/// <summary>One line of the fault timeline: when (on the test's clock) and what <c>scripts/cluster</c> did.</summary>
public sealed record FaultEvent(TimeSpan At, string What)
{
    public override string ToString() => $"[{At.TotalSeconds,6:0.00}s] {What}";
}
