namespace OrleansRaft.Bench.Measurement;

/// <summary>The timeline of one load run, in <see cref="System.Diagnostics.Stopwatch"/> timestamps.</summary>
/// <param name="Operations">The fixed count, or <see cref="long.MaxValue"/> for a timed run.</param>
/// <param name="Rate">Open loop: operations per second; null for closed loop.</param>
internal sealed record LoadSchedule(long Start, LoadWindow Window, bool FixedCount, long Operations, double? Rate, int Workers);
