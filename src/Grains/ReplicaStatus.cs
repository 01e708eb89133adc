namespace OrleansRaft.Grains;

/// <summary>One replica as it sees itself; <see cref="Failure"/> is set once its store failed and it stopped.</summary>
public sealed record ReplicaStatus(
    long NodeId,
    long GroupId,
    string Role,
    long Term,
    long Leader,
    long CommitIndex,
    long AppliedIndex,
    long FirstIndex,
    long LastIndex,
    long[] Voters,
    long[] Learners,
    string? Failure)
{
    /// <summary>The newest snapshot this replica holds, taken or installed; 0 for none.</summary>
    public long SnapshotIndex { get; init; }
}
