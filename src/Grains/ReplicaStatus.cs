namespace OrleansRaft.Grains;

/// <summary>One replica as it sees itself; <see cref="Failure"/> is set once its store failed and it stopped.</summary>
/// <param name="Elections">The last 32 elections this replica started, oldest first (the running one last); null from an older silo.</param>
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
    string? Failure,
    ElectionRecord[]? Elections = null)
{
    /// <summary>The newest snapshot this replica holds, taken or installed; 0 for none.</summary>
    public long SnapshotIndex { get; init; }

    /// <summary>Node id → base address of members whose address was replicated by a membership change; empty for none.</summary>
    public IReadOnlyDictionary<long, string> MemberAddresses { get; init; } = new Dictionary<long, string>();
}
