namespace OrleansRaft.Bench.Experiments;

/// <summary>
/// A snapshot one silo took, on the status timeline: captured at <paramref name="From"/> (when the leader's commit
/// index reached <paramref name="Index"/>; the silo applies it at about that time) and stored at <paramref name="To"/>
/// (its log line), so its serialization and PostgreSQL write ran in between.
/// </summary>
internal sealed record SnapshotEvent(long NodeId, bool Leader, long Index, long Bytes, TimeSpan From, TimeSpan To)
{
    public TimeSpan Duration => To - From;
}
