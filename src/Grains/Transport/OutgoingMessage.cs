using System.Diagnostics;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains.Transport;

internal readonly record struct OutgoingMessage(long GroupId, RaftMessage Message, ActivityContext TraceContext = default);
