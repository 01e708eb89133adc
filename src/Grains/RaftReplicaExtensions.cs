using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains;

public static class RaftReplicaExtensions
{
    /// <summary>Routes a decoded peer message to the matching grain call.</summary>
    public static ValueTask DeliverAsync(this IRaftReplica replica, RaftMessage message, CancellationToken cancellationToken) =>
        message switch
        {
            VoteRequest m => replica.RequestVote(m, cancellationToken),
            AppendRequest m => replica.AppendEntries(m, cancellationToken),
            HeartbeatRequest m => replica.Heartbeat(m, cancellationToken),
            TimeoutNow m => replica.TimeoutNow(m, cancellationToken),
            InstallSnapshotRequest m => replica.InstallSnapshot(m, cancellationToken),
            _ => replica.Respond(message, cancellationToken),
        };
}
