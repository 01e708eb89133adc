using System.Diagnostics;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains.Transport;

/// <summary>
/// Carries messages from a replica to its peers in other silos. <see cref="Send(long, RaftMessage)"/> never
/// blocks the caller's turn: it queues and returns. A message may be dropped (a peer that cannot keep up, a
/// broken connection); Raft retries what matters.
/// </summary>
public interface IReplicaTransport
{
    void Send(long groupId, RaftMessage message);

    /// <summary>
    /// Sends with the span the message belongs to, so the receiving replica's work joins that trace. A
    /// transport that cannot carry it sends the message alone.
    /// </summary>
    void Send(long groupId, RaftMessage message, ActivityContext traceContext) => Send(groupId, message);
}
