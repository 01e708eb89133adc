namespace OrleansRaft.Bench.Measurement;

/// <summary>The measured window of a load run, in <see cref="System.Diagnostics.Stopwatch"/> timestamps.</summary>
internal readonly record struct LoadWindow(long Start, long End);
