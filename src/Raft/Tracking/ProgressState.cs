namespace OrleansRaft.Raft.Tracking;

public enum ProgressState
{
    /// <summary>Next index unknown: send one AppendEntries at a time and wait for its answer.</summary>
    Probe,

    /// <summary>The follower is in step: stream AppendEntries without waiting, up to the in-flight window.</summary>
    Replicate,

    /// <summary>
    /// The follower needs entries the leader compacted away: it gets the leader's snapshot, one chunk at a time,
    /// and no AppendEntries until the snapshot is acknowledged (§7).
    /// </summary>
    Snapshot,
}
