namespace OrleansRaft.Grains;

public enum MembershipStatus
{
    /// <summary>The change committed.</summary>
    Ok,

    /// <summary>This replica does not lead; see <see cref="MembershipResult.LeaderHint"/>.</summary>
    NotLeader,

    /// <summary>The change does not fit the configuration, or another is in progress; nothing was changed.</summary>
    Refused,

    /// <summary>No outcome in time (a commit not seen, a learner that did not catch up); it may have taken effect.</summary>
    Timeout,

    /// <summary>The replica cannot serve (stopped or failed); nothing was proposed.</summary>
    Unavailable,
}
