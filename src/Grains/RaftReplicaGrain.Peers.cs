using OrleansRaft.Grains.Mailbox;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains;

public sealed partial class RaftReplicaGrain : IRaftReplica
{
    public ValueTask RequestVote(VoteRequest request, CancellationToken cancellationToken) => Receive(request);

    public ValueTask AppendEntries(AppendRequest request, CancellationToken cancellationToken) => Receive(request);

    public ValueTask Heartbeat(HeartbeatRequest request, CancellationToken cancellationToken) => Receive(request);

    public ValueTask TimeoutNow(TimeoutNow request, CancellationToken cancellationToken) => Receive(request);

    public ValueTask InstallSnapshot(InstallSnapshotRequest request, CancellationToken cancellationToken) => Receive(request);

    public ValueTask Respond(RaftMessage response, CancellationToken cancellationToken) => Receive(response);

    /// <summary>The transport could not deliver to <paramref name="peer"/>: stop streaming to it and probe.</summary>
    public void ReportUnreachable(long peer) => mailbox.Writer.TryWrite(new UnreachableItem(peer));

    private ValueTask Receive(RaftMessage message)
    {
        // A replica that cannot keep up drops peer messages instead of queueing without bound; Raft resends.
        if (Interlocked.Increment(ref pendingPeerMessages) > options.MaxPendingPeerMessages || !mailbox.Writer.TryWrite(new PeerItem(message)))
        {
            Interlocked.Decrement(ref pendingPeerMessages);
        }

        return ValueTask.CompletedTask;
    }
}
