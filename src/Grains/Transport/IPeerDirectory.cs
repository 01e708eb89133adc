namespace OrleansRaft.Grains.Transport;

/// <summary>
/// A transport whose peers can change at runtime: a replica tells it the addresses of members added or removed
/// (membership change, thesis §4.1) as they apply from the log. Idempotent: every replica of every group may say so.
/// </summary>
public interface IPeerDirectory
{
    /// <summary>Sends to <paramref name="peerId"/> at <paramref name="address"/> from now on.</summary>
    void SetPeer(long peerId, Uri address);

    /// <summary>Stops sending to <paramref name="peerId"/>; its queued messages are dropped.</summary>
    void RemovePeer(long peerId);
}
