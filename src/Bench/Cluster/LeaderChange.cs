namespace OrleansRaft.Bench.Cluster;

/// <summary>A leader seen for the first time: <paramref name="Elapsed"/> since the monitor started.</summary>
public readonly record struct LeaderChange(TimeSpan Elapsed, long Leader, long Term);
