namespace OrleansRaft.Raft;

/// <summary>What the host's transport knows of a snapshot it was sending (<see cref="RaftNode.ReportSnapshot"/>).</summary>
public enum SnapshotStatus
{
    /// <summary>The snapshot reached the follower; the leader probes from just after it.</summary>
    Finish,

    /// <summary>The snapshot could not be delivered; the leader gives it up and starts over later.</summary>
    Failure,
}
