namespace OrleansRaft.Grains.Telemetry;

/// <summary>
/// Every name this project's traces and metrics use: ActivitySource and Meter names, span names, attribute
/// names and values, instrument names. The silo and the gateway subscribe to these sources and meters; tests
/// and dashboards match on these strings, so they change only with the README's Observability section.
/// </summary>
public static class RaftTelemetry
{
    // Sources and meters.
    public const string ReplicaSourceName = "OrleansRaft.Replica";
    public const string GatewaySourceName = "OrleansRaft.Gateway";
    public const string ReplicaMeterName = "OrleansRaft.Replica";
    public const string GatewayMeterName = "OrleansRaft.Gateway";

    /// <summary>Other libraries' sources the hosts enable too.</summary>
    public const string AspNetCoreSourceName = "Microsoft.AspNetCore";
    public const string HttpClientSourceName = "System.Net.Http";
    public const string NpgsqlSourceName = "Npgsql";

    // Spans.
    /// <summary>One election on one node: from the timeout (or TimeoutNow) that starts it to won, lost or superseded.</summary>
    public const string ElectionSpan = "raft.election";

    /// <summary>A vote request handled by a voter: granted, or why not.</summary>
    public const string VoteSpan = "raft.vote";

    /// <summary>A leader's batch of proposals, from propose to commit.</summary>
    public const string ReplicateSpan = "raft.replicate";

    /// <summary>One store transaction: the hard state and entries of one Ready.</summary>
    public const string PersistSpan = "raft.persist";

    /// <summary>Committed entries applied to the key/value state machine.</summary>
    public const string ApplySpan = "raft.apply";

    /// <summary>Taking or installing a snapshot (issue 6; defined here, not emitted yet).</summary>
    public const string SnapshotSpan = "raft.snapshot";

    /// <summary>A leadership transfer on the old leader, until leadership moves or the transfer is abandoned.</summary>
    public const string LeaderTransferSpan = "raft.leader_transfer";

    /// <summary>One client request to the gateway's key/value routes.</summary>
    public const string KvRequestSpan = "kv.request";

    /// <summary>Event on a <see cref="ElectionSpan"/>: the pre-vote round won, the real vote begins (term raised).</summary>
    public const string PreVoteWonEvent = "raft.election.prevote_won";

    // Attributes every replica span and metric carries.
    public const string NodeAttribute = "raft.node";
    public const string GroupAttribute = "raft.group";
    public const string TermAttribute = "raft.term";

    // raft.election.
    /// <summary>True when the election ended in its pre-vote round, so it never raised the term.</summary>
    public const string PreVoteAttribute = "raft.election.prevote";
    public const string ReasonAttribute = "raft.election.reason";
    public const string OutcomeAttribute = "raft.election.outcome";
    public const string VotesGrantedAttribute = "raft.election.votes_granted";
    public const string VotesRejectedAttribute = "raft.election.votes_rejected";
    public const string VotesNeededAttribute = "raft.election.votes_needed";
    public const string WinnerAttribute = "raft.election.winner";

    // raft.vote.
    public const string CandidateAttribute = "raft.vote.candidate";
    public const string VotePreVoteAttribute = "raft.vote.prevote";
    public const string VoteTransferAttribute = "raft.vote.transfer";
    public const string GrantedAttribute = "raft.vote.granted";

    /// <summary>Why a vote was refused or ignored; absent when granted.</summary>
    public const string VoteReasonAttribute = "raft.vote.reason";

    // raft.replicate, raft.persist, raft.apply.
    public const string EntriesAttribute = "raft.entries";
    public const string BytesAttribute = "raft.bytes";
    public const string FirstIndexAttribute = "raft.index.first";
    public const string LastIndexAttribute = "raft.index.last";
    public const string FollowersAckedAttribute = "raft.replicate.followers_acked";
    public const string ReplicateOutcomeAttribute = "raft.replicate.outcome";
    public const string SyncAttribute = "raft.persist.sync";
    public const string HardStateAttribute = "raft.persist.hard_state";

    // raft.leader_transfer.
    public const string TransferToAttribute = "raft.transfer.to";
    public const string TransferOutcomeAttribute = "raft.transfer.outcome";
    public const string LeaderAttribute = "raft.leader";

    // Metrics only.
    public const string RoleAttribute = "raft.role";
    public const string FollowerAttribute = "raft.follower";

    // kv.request and the gateway's request metric.
    public const string KvOperationAttribute = "kv.operation";
    public const string KvConsistencyAttribute = "kv.consistency";
    public const string KvIdempotentAttribute = "kv.idempotent";

    /// <summary>The replica's answer: Ok, NotFound, NotLeader, Timeout, Unavailable, Stale.</summary>
    public const string KvStatusAttribute = "kv.status";
    public const string HttpRouteAttribute = "http.route";
    public const string HttpMethodAttribute = "http.request.method";
    public const string HttpStatusAttribute = "http.response.status_code";

    // Attribute values.
    public const string Won = "won";
    public const string Lost = "lost";
    public const string Superseded = "superseded";

    /// <summary>The outcome of an election still under way (election history only).</summary>
    public const string Running = "running";

    public const string ElectionTimeoutReason = "election_timeout";
    public const string LeaderTransferReason = "leader_transfer";

    public const string StaleTermReason = "stale_term";
    public const string AlreadyVotedReason = "already_voted";
    public const string LeaderKnownReason = "leader_known";
    public const string LogBehindReason = "log_behind";

    /// <summary>Ignored without an answer: this voter heard from a leader within the election timeout (thesis §4.2.3).</summary>
    public const string LeaderLeaseReason = "leader_lease";

    public const string Committed = "committed";
    public const string Failed = "failed";

    public const string TransferCompleted = "completed";
    public const string TransferRefused = "refused";
    public const string TransferAbandoned = "abandoned";

    // Replica instruments (meter OrleansRaft.Replica); every one carries raft.node and raft.group.
    public const string TermMetric = "raft.term";

    /// <summary>0 follower, 1 pre-candidate, 2 candidate, 3 leader.</summary>
    public const string RoleMetric = "raft.role";
    public const string CommitIndexMetric = "raft.commit_index";
    public const string AppliedIndexMetric = "raft.applied_index";
    public const string LeaderChangesMetric = "raft.leader.changes";
    public const string ElectionsStartedMetric = "raft.elections.started";
    public const string ElectionsWonMetric = "raft.elections.won";

    /// <summary>Proposals appended to the leader's log and not yet applied.</summary>
    public const string ProposalsPendingMetric = "raft.proposals.pending";

    /// <summary>Client requests waiting in the replica's mailbox for a turn.</summary>
    public const string RequestsQueuedMetric = "raft.requests.queued";
    public const string StoreCommitDurationMetric = "raft.store.commit.duration";

    /// <summary>On the leader, per follower: last index − match index.</summary>
    public const string FollowerLagMetric = "raft.follower.lag";
    public const string SnapshotsMetric = "raft.snapshots";
    public const string SnapshotSizeMetric = "raft.snapshot.size";

    // Gateway instruments (meter OrleansRaft.Gateway).
    public const string GatewayRequestDurationMetric = "gateway.request.duration";

    /// <summary>Histogram buckets of the duration instruments, in seconds from 0.5 ms (the SDK's default buckets suit milliseconds).</summary>
    public static IReadOnlyList<double> DurationBucketsSeconds { get; } = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
}
