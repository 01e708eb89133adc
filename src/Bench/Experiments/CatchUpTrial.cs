namespace OrleansRaft.Bench.Experiments;

/// <summary>
/// One new member of the catch-up experiment: the leader's commit index when it was added, how long until it had
/// applied that far and until the change returned with it a voter, and how it got there.
/// </summary>
/// <param name="SnapshotIndex">The new member's snapshot index once a voter: above 0 when it caught up through InstallSnapshot.</param>
/// <param name="Installed">Snapshots its log says it installed from the leader: index and bytes.</param>
/// <param name="WritesBefore">With background load: writes/s in the stretch just before the add; else null.</param>
/// <param name="WritesCatchingUp">With background load: writes/s from the add until it had caught up.</param>
/// <param name="WritesUntilVoter">With background load: writes/s from the add until it was a voter.</param>
internal sealed record CatchUpTrial(
    long NodeId,
    long TargetIndex,
    TimeSpan CatchUp,
    TimeSpan Voter,
    long SnapshotIndex,
    IReadOnlyList<(long Index, long Bytes)> Installed,
    double? WritesBefore,
    double? WritesCatchingUp,
    double? WritesUntilVoter);
