using System.Diagnostics;

namespace OrleansRaft.Testing.Linearizability;

/// <summary>How long one search may run: a deadline on the <see cref="Stopwatch"/> clock, a step count, and a
/// way for the caller to call it off. Steps make a limit that does not depend on the machine's speed.</summary>
internal sealed class SearchBudget(long deadline, long maxSteps, Func<bool>? abandon = null)
{
    public const long NoDeadline = long.MaxValue;

    public long MaxSteps => maxSteps;

    /// <summary>Steps the last search spent (one per call or return entry visited).</summary>
    public long StepsUsed { get; set; }

    public static long DeadlineAfter(TimeSpan? timeout)
    {
        if (timeout is not { } t || t == Timeout.InfiniteTimeSpan || t > TimeSpan.FromDays(365))
        {
            return NoDeadline;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(t, TimeSpan.Zero, nameof(timeout));
        return Stopwatch.GetTimestamp() + (long)(t.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Checked every so many steps: reading the clock on every step would cost more than the step.</summary>
    public bool Expired() => (deadline != NoDeadline && Stopwatch.GetTimestamp() >= deadline) || (abandon?.Invoke() ?? false);
}
