namespace OrleansRaft.Raft.Tracking;

public enum ProgressState
{
    /// <summary>Next index unknown: send one AppendEntries at a time and wait for its answer.</summary>
    Probe,

    /// <summary>The follower is in step: stream AppendEntries without waiting, up to the in-flight window.</summary>
    Replicate,
}
