namespace OrleansRaft.Bench.Cluster;

/// <summary>One silo's status as <see cref="StatusTimeline"/> saw it, <paramref name="Elapsed"/> after the timeline started (when the answer came).</summary>
public sealed record StatusSample(TimeSpan Elapsed, long NodeId, string Role, long Term, long CommitIndex);
