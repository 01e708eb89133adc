using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// One scheduled happening. <paramref name="Node"/> is the node it concerns (0 for none),
/// <paramref name="Generation"/> the node incarnation or partition generation it belongs to (stale ones are
/// ignored), <paramref name="Arg"/> a kind-specific value, <paramref name="Message"/> the message to deliver.
/// </summary>
public readonly record struct SimEvent(SimEventKind Kind, long Node, long Generation, long Arg, RaftMessage? Message);
