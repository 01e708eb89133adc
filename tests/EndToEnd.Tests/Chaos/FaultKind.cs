namespace OrleansRaft.EndToEnd.Tests.Chaos;

/// <summary>The faults <see cref="FaultInjector"/> brings about with <c>scripts/cluster</c>, each undone at the end of its episode.</summary>
public enum FaultKind
{
    /// <summary>SIGKILL the current leader (found through <c>GET /v1/cluster</c>), later <c>restart</c> it.</summary>
    KillLeader,

    /// <summary>SIGKILL a follower, later <c>restart</c> it.</summary>
    KillFollower,

    /// <summary>SIGSTOP the current leader, later SIGCONT: it comes back believing it still leads.</summary>
    PauseLeader,

    /// <summary>SIGSTOP a follower, later SIGCONT.</summary>
    PauseFollower,

    /// <summary>SIGSTOP the leader and a follower: no majority, so nothing may commit until SIGCONT.</summary>
    PauseMajority,

    /// <summary>
    /// SIGKILL the leader and SIGSTOP a follower: no majority until the leader is restarted (it and the remaining
    /// follower make one), then SIGCONT: the paused follower wakes up in an old term.
    /// </summary>
    KillLeaderPauseFollower,

    /// <summary>SIGKILL every silo, then <c>restart</c> them all from what they stored.</summary>
    KillAll,
}
