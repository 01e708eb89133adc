using System.Diagnostics;

namespace OrleansRaft.Grains.Telemetry;

/// <summary>The election a replica is running: its pre-vote round, then (once that is won) its real vote.</summary>
internal sealed class ElectionRound(long term, bool preVote, string reason, DateTimeOffset startedAt, int needed, Activity? activity)
{
    public long Term { get; } = term;

    /// <summary>Still in the pre-vote round: nobody's term has changed yet.</summary>
    public bool PreVote { get; private set; } = preVote;

    public string Reason { get; } = reason;

    public DateTimeOffset StartedAt { get; } = startedAt;

    public int Needed { get; } = needed;

    public Activity? Activity { get; } = activity;

    /// <summary>Voters that granted this round, this node included.</summary>
    public HashSet<long> Granted { get; } = [];

    public HashSet<long> Rejected { get; } = [];

    /// <summary>The pre-vote round was won: the same election goes on as a real vote at the same term.</summary>
    public void EnterVote(long self)
    {
        PreVote = false;
        Granted.Clear();
        Rejected.Clear();
        Granted.Add(self);
    }
}
