namespace OrleansRaft.Bench.Experiments;

/// <summary>Entries the leader committed between two of its status samples.</summary>
internal sealed record CommitInterval(TimeSpan From, TimeSpan To, long Commits)
{
    public double PerSecond => Commits / Math.Max(1e-9, (To - From).TotalSeconds);

    public bool Overlaps(SnapshotEvent snapshot) => snapshot.From < To && snapshot.To > From;
}
