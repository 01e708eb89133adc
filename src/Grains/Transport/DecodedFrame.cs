using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains.Transport;

/// <summary>One message read off the wire with the Raft group it is addressed to.</summary>
public readonly record struct DecodedFrame(long GroupId, RaftMessage Message);
