namespace OrleansRaft.Grains.Transport;

/// <summary>A snapshot of one peer's sender, for tests and metrics.</summary>
/// <param name="Queued">Messages waiting to be batched.</param>
/// <param name="Backoff">The current retry delay after failures; zero while the peer answers.</param>
/// <param name="ConsecutiveFailures">Failed POSTs since the last success.</param>
public readonly record struct PeerState(long PeerId, Uri Address, int Queued, TimeSpan Backoff, int ConsecutiveFailures);
