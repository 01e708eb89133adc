namespace OrleansRaft.Grains;

public enum KvStatus
{
    Ok,

    /// <summary>A read of an absent key.</summary>
    NotFound,

    /// <summary>This replica is not the leader and did not take the request; see <see cref="KvResponse.LeaderHint"/>.</summary>
    NotLeader,

    /// <summary>
    /// The request was proposed but its commit was not seen in time: it may or may not be applied. Retry with
    /// the same client request identity.
    /// </summary>
    Timeout,

    /// <summary>The replica cannot serve (store failed, shutting down, overloaded); the request was not applied.</summary>
    Unavailable,

    /// <summary>A retry older than the replies its session keeps; its first outcome is no longer known.</summary>
    Stale,
}
