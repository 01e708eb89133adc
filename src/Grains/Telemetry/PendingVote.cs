using System.Diagnostics;

namespace OrleansRaft.Grains.Telemetry;

/// <summary>A vote request this voter stepped, waiting for its answer to leave (after the vote is durable).</summary>
/// <param name="TermBefore">This voter's term before the request.</param>
/// <param name="CandidateUpToDate">The candidate's log is at least as up to date as this voter's (§5.4.1).</param>
internal sealed record PendingVote(long Candidate, long Term, bool PreVote, long TermBefore, bool CandidateUpToDate, Activity Activity)
{
    /// <summary>This voter's vote after stepping the request (the core's Vote).</summary>
    public long VoteAfter { get; set; }
}
