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
    ElectionRecord[]? Elections = null);
