namespace OrleansRaft.Grains.Transport;

/// <summary>Limits of <see cref="Http2ReplicaTransport"/>; every queue and wait it has is bounded by one of these.</summary>
public sealed record Http2TransportOptions
{
    /// <summary>The sending node, named in log lines only.</summary>
    public long LocalNodeId { get; init; }

    /// <summary>Messages waiting for one peer; beyond this new ones are dropped and counted.</summary>
    public int MaxQueuedMessagesPerPeer { get; init; } = 16_384;

    /// <summary>POSTs in flight to one peer at once (pipelining over the one HTTP/2 connection).</summary>
    public int MaxInflightRequestsPerPeer { get; init; } = 4;

    /// <summary>A batch stops growing at this many bytes; a single larger message still goes alone.</summary>
    public int MaxBatchBytes { get; init; } = 4 << 20;

    /// <summary>Frames larger than this are dropped: the receiver would refuse them anyway.</summary>
    public int MaxFrameBytes { get; init; } = MessageCodec.DefaultMaxFrameBytes;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(20);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A POST with no answer within this is a failure: the peer is hung or the network is.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);
}
