using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains.Tests.Transport;

/// <summary>A message type the wire format has no encoding for.</summary>
internal sealed record UnknownMessage(long From, long To, long Term) : RaftMessage(From, To, Term);
