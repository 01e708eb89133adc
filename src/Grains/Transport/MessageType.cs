namespace OrleansRaft.Grains.Transport;

/// <summary>The type byte of a frame. Values are part of the wire format: never renumber.</summary>
public enum MessageType : byte
{
    VoteRequest = 1,
    VoteResponse = 2,
    AppendRequest = 3,
    AppendResponse = 4,
    HeartbeatRequest = 5,
    HeartbeatResponse = 6,
    TimeoutNow = 7,
    InstallSnapshotRequest = 8,
    InstallSnapshotResponse = 9,
}
