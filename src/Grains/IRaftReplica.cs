using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains;

/// <summary>
/// What one silo calls on another silo's replica of a group. Each call is one-way: it completes once the
/// message is in the replica's mailbox, and the answer comes back later as a call on the sender's replica
/// (<see cref="Respond"/>), so no turn ever waits on the network.
/// </summary>
public interface IRaftReplica
{
    ValueTask RequestVote(VoteRequest request, CancellationToken cancellationToken);

    ValueTask AppendEntries(AppendRequest request, CancellationToken cancellationToken);

    ValueTask Heartbeat(HeartbeatRequest request, CancellationToken cancellationToken);

    ValueTask TimeoutNow(TimeoutNow request, CancellationToken cancellationToken);

    /// <summary>One chunk of the leader's snapshot, for a follower whose next entries the leader compacted (§7).</summary>
    ValueTask InstallSnapshot(InstallSnapshotRequest request, CancellationToken cancellationToken);

    /// <summary>An answer to one of the calls above: a vote, append, heartbeat or snapshot response.</summary>
    ValueTask Respond(RaftMessage response, CancellationToken cancellationToken);
}
