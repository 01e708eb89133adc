using OrleansRaft.Raft;

namespace OrleansRaft.Testing.Simulation;

/// <summary>One Ready's write that was not synced (MustSync = false): lost on crash unless a later sync flushes it.</summary>
public sealed record StorageWrite(HardState? HardState, LogEntry[] Entries);
