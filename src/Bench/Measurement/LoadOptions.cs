namespace OrleansRaft.Bench.Measurement;

/// <summary>
/// Shape of one load run: how many workers, closed loop or a fixed arrival rate, and either a warm-up plus a
/// measured window or a fixed number of operations.
/// </summary>
public sealed record LoadOptions
{
    public required int Workers { get; init; }

    /// <summary>The measured window; ignored when <see cref="Operations"/> is set.</summary>
    public TimeSpan Duration { get; init; }

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Open loop: operations per second over all workers, each scheduled on a fixed timeline and timed from its
    /// intended start (coordinated omission corrected, as in wrk2). Null: closed loop.
    /// </summary>
    public double? Rate { get; init; }

    /// <summary>Run exactly this many operations (numbered 0..N-1), all measured, no warm-up; null: a timed window.</summary>
    public long? Operations { get; init; }

    /// <summary>How long operations still running at the end may take to return before they are cancelled.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Shown by the progress bar.</summary>
    public string Label { get; init; } = "load";

    /// <summary>Runs as the measured window opens (after the warm-up), e.g. to sample CPU counters.</summary>
    public Func<Task>? OnWindowStart { get; init; }

    /// <summary>Runs as the measured window closes, before the workers drain.</summary>
    public Func<Task>? OnWindowEnd { get; init; }

    public bool OpenLoop => Rate is not null;
}
