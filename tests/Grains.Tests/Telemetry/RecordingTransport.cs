using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansRaft.Grains.Transport;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains.Tests.Telemetry;

/// <summary>A transport that only records what a replica sends and the trace context it sends it with.</summary>
internal sealed class RecordingTransport : IReplicaTransport
{
    public ConcurrentQueue<(RaftMessage Message, ActivityContext Context)> Sent { get; } = new();

    public void Send(long groupId, RaftMessage message) => Sent.Enqueue((message, default));

    public void Send(long groupId, RaftMessage message, ActivityContext traceContext) => Sent.Enqueue((message, traceContext));
}
