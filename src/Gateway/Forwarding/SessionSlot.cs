using OrleansRaft.Grains.Kv;

namespace OrleansRaft.Gateway.Forwarding;

/// <summary>
/// One client session of this gateway process. It carries one request at a time, so that request's sequence is
/// also the lowest one it may still retry: the state machine keeps a single reply per session.
/// </summary>
internal sealed class SessionSlot(string clientId)
{
    private long sequence;

    public string ClientId { get; } = clientId;

    /// <summary>The identity of the slot's next request; its retries reuse it.</summary>
    public ClientRequest Next()
    {
        var next = ++sequence;
        return new ClientRequest(ClientId, next, next);
    }
}
