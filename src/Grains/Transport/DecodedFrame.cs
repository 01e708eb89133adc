using System.Diagnostics;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains.Transport;

/// <summary>One message read off the wire with the Raft group it is addressed to.</summary>
public readonly record struct DecodedFrame(long GroupId, RaftMessage Message)
{
    /// <summary>The sender's span for this message; default when the frame carried none.</summary>
    public ActivityContext TraceContext { get; init; }
}
