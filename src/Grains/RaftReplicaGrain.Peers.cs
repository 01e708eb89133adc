using System.Diagnostics;
using OrleansRaft.Grains.Mailbox;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains;

public sealed partial class RaftReplicaGrain : IRaftReplica
{
    public ValueTask RequestVote(VoteRequest request, CancellationToken cancellationToken) => Receive(request, default);

    public ValueTask AppendEntries(AppendRequest request, CancellationToken cancellationToken) => Receive(request, default);

    public ValueTask Heartbeat(HeartbeatRequest request, CancellationToken cancellationToken) => Receive(request, default);

    public ValueTask TimeoutNow(TimeoutNow request, CancellationToken cancellationToken) => Receive(request, default);

    public ValueTask Respond(RaftMessage response, CancellationToken cancellationToken) => Receive(response, default);

    /// <summary>
    /// A peer message with the span it was sent for (the HTTP/2 transport's frames carry one): this replica's
    /// vote, store write and apply for it join that trace.
    /// </summary>
    public ValueTask DeliverAsync(RaftMessage message, ActivityContext traceContext, CancellationToken cancellationToken) =>
        Receive(message, traceContext);

    /// <summary>The transport could not deliver to <paramref name="peer"/>: stop streaming to it and probe.</summary>
    public void ReportUnreachable(long peer) => mailbox.Writer.TryWrite(new UnreachableItem(peer));

    private ValueTask Receive(RaftMessage message, ActivityContext traceContext)
    {
        // A replica that cannot keep up drops peer messages instead of queueing without bound; Raft resends.
        if (Interlocked.Increment(ref pendingPeerMessages) > options.MaxPendingPeerMessages || !mailbox.Writer.TryWrite(new PeerItem(message, traceContext)))
        {
            Interlocked.Decrement(ref pendingPeerMessages);
        }

        return ValueTask.CompletedTask;
    }
}
