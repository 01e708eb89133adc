using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansRaft.Grains.Telemetry;

/// <summary>
/// The replicas' ActivitySource, Meter and instruments, one of each per process as listeners expect. With no
/// listener (telemetry off) <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and
/// every instrument's <c>Enabled</c> is false, so the grain skips the work around them.
/// </summary>
internal static class ReplicaDiagnostics
{
    public static readonly ActivitySource Source = new(RaftTelemetry.ReplicaSourceName);

    public static readonly Meter Meter = new(RaftTelemetry.ReplicaMeterName);

    public static readonly Counter<long> LeaderChanges = Meter.CreateCounter<long>(
        RaftTelemetry.LeaderChangesMetric, "{change}", "Times this replica learned of a new leader.");

    public static readonly Counter<long> ElectionsStarted = Meter.CreateCounter<long>(
        RaftTelemetry.ElectionsStartedMetric, "{election}", "Elections this replica started, by raft.election.reason.");

    public static readonly Counter<long> ElectionsWon = Meter.CreateCounter<long>(
        RaftTelemetry.ElectionsWonMetric, "{election}", "Elections this replica won.");

    public static readonly Histogram<double> StoreCommitDuration = Meter.CreateHistogram(
        RaftTelemetry.StoreCommitDurationMetric,
        "s",
        "Duration of one log store transaction (one Ready's hard state and entries).",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = RaftTelemetry.DurationBucketsSeconds });

    /// <summary>Fed once snapshots exist (issue 6).</summary>
    public static readonly Counter<long> Snapshots = Meter.CreateCounter<long>(
        RaftTelemetry.SnapshotsMetric, "{snapshot}", "Snapshots taken or installed.");

    /// <summary>Fed once snapshots exist (issue 6).</summary>
    public static readonly Histogram<long> SnapshotSize = Meter.CreateHistogram<long>(
        RaftTelemetry.SnapshotSizeMetric, "By", "Size of a snapshot taken or installed.");

    public static readonly ObservableGauge<long> FollowerLag = Meter.CreateObservableGauge(
        RaftTelemetry.FollowerLagMetric, ReplicaGauges.FollowerLag, "{entry}", "On the leader, per follower: last index minus the follower's match index.");

    static ReplicaDiagnostics()
    {
        Meter.CreateObservableGauge(RaftTelemetry.TermMetric, ReplicaGauges.Term, "{term}", "The replica's current term.");
        Meter.CreateObservableGauge(RaftTelemetry.RoleMetric, ReplicaGauges.Role, null, "0 follower, 1 pre-candidate, 2 candidate, 3 leader.");
        Meter.CreateObservableGauge(RaftTelemetry.CommitIndexMetric, ReplicaGauges.CommitIndex, "{entry}", "The highest log index known to be committed.");
        Meter.CreateObservableGauge(RaftTelemetry.AppliedIndexMetric, ReplicaGauges.AppliedIndex, "{entry}", "The highest log index applied to the key/value state machine.");
        Meter.CreateObservableGauge(RaftTelemetry.ProposalsPendingMetric, ReplicaGauges.ProposalsPending, "{proposal}", "Proposals in the leader's log not applied yet.");
        Meter.CreateObservableGauge(RaftTelemetry.RequestsQueuedMetric, ReplicaGauges.RequestsQueued, "{request}", "Client requests waiting in the mailbox for a turn.");
    }

    /// <summary>Makes sure the instruments exist before a listener looks for them.</summary>
    public static void EnsureCreated()
    {
    }
}
