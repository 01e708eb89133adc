namespace OrleansRaft.Bench.Measurement;

/// <summary>Shape of one closed-loop run: how many workers, how long to warm up unmeasured, how long to measure.</summary>
public sealed record LoadOptions
{
    public required int Workers { get; init; }

    public required TimeSpan Duration { get; init; }

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long operations still running at the end may take to return before they are cancelled.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Shown by the progress line.</summary>
    public string Label { get; init; } = "load";

    /// <summary>Runs as the measured window opens (after the warm-up), e.g. to sample CPU counters.</summary>
    public Func<Task>? OnWindowStart { get; init; }

    /// <summary>Runs as the measured window closes, before the workers drain.</summary>
    public Func<Task>? OnWindowEnd { get; init; }
}
