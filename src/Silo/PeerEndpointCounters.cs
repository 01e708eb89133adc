namespace OrleansRaft.Silo;

/// <summary>What the peer endpoint received and refused, for tests and metrics.</summary>
public sealed class PeerEndpointCounters
{
    private long requests;
    private long delivered;
    private long unknownGroup;
    private long misrouted;
    private long malformed;
    private long refusedBodies;

    public long Requests => Interlocked.Read(ref requests);

    /// <summary>Messages handed to a local replica.</summary>
    public long Delivered => Interlocked.Read(ref delivered);

    /// <summary>Messages for a group this silo does not host; skipped.</summary>
    public long UnknownGroup => Interlocked.Read(ref unknownGroup);

    /// <summary>Messages addressed to another node id; skipped.</summary>
    public long Misrouted => Interlocked.Read(ref misrouted);

    /// <summary>Bodies refused with 400 because a frame was malformed.</summary>
    public long Malformed => Interlocked.Read(ref malformed);

    /// <summary>Bodies refused unread: too large (413), unreadable, or abandoned by the client.</summary>
    public long RefusedBodies => Interlocked.Read(ref refusedBodies);

    internal void OnRequest() => Interlocked.Increment(ref requests);

    internal void OnDelivered() => Interlocked.Increment(ref delivered);

    internal void OnUnknownGroup() => Interlocked.Increment(ref unknownGroup);

    internal void OnMisrouted() => Interlocked.Increment(ref misrouted);

    internal void OnMalformed() => Interlocked.Increment(ref malformed);

    internal void OnRefusedBody() => Interlocked.Increment(ref refusedBodies);
}
