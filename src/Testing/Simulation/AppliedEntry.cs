using OrleansRaft.Raft;

namespace OrleansRaft.Testing.Simulation;

/// <summary>One slot of the global applied sequence: what every node must apply at that index.</summary>
public readonly record struct AppliedEntry(long Term, EntryKind Kind, ReadOnlyMemory<byte> Data);
