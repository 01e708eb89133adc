namespace OrleansRaft.Grains;

/// <summary>
/// One election this replica started, as kept in <see cref="ReplicaStatus.Elections"/> (the last 32).
/// </summary>
/// <param name="Term">The term contested; for an election that ended in its pre-vote round, the term it asked about.</param>
/// <param name="EndedAt">Null while the election runs.</param>
/// <param name="Outcome">won, lost (refused by a majority, or no majority before the next timeout), superseded (another leader or a higher term), or running.</param>
/// <param name="Winner">The node that won the term, when known (this node for "won"; learned later for the others); 0 otherwise.</param>
/// <param name="PreVote">The election ended in its pre-vote round, so it never raised the term (thesis §9.6).</param>
/// <param name="Reason">election_timeout, or leader_transfer (a TimeoutNow from the leader, thesis §3.10).</param>
/// <param name="VotesGranted">Votes granted in the last round, this node's own included.</param>
public sealed record ElectionRecord(
    long Term,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string Outcome,
    long Winner,
    bool PreVote,
    string Reason,
    int VotesGranted,
    int VotesRejected,
    int VotesNeeded);
