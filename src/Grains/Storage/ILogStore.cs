using OrleansRaft.Raft;
using OrleansRaft.Raft.Storage;

namespace OrleansRaft.Grains.Storage;

/// <summary>
/// Where one replica keeps its log and hard state. The grain writes every <see cref="Ready"/> through
/// <see cref="SaveAsync"/> before sending anything that depends on it.
/// </summary>
public interface ILogStore : IAsyncDisposable
{
    /// <summary>Opens the store (creating or migrating what it needs) and loads hard state and log.</summary>
    ValueTask<MemoryStorage> LoadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// One atomic write: stored entries from <c>entries[0].Index</c> on are deleted (a conflicting suffix, §5.3),
    /// <paramref name="entries"/> are inserted and <paramref name="hardState"/>, when not null, replaces the
    /// stored one. With <paramref name="sync"/> the write is durable when the call returns.
    /// </summary>
    ValueTask SaveAsync(HardState? hardState, IReadOnlyList<LogEntry> entries, bool sync, CancellationToken cancellationToken);

    /// <summary>
    /// Log compaction (§7): one atomic, durable write that records <paramref name="snapshot"/> and deletes the stored
    /// entries up to <paramref name="compactTo"/> (at most the snapshot's index; entries after it stay so a follower a
    /// little behind can still catch up from the log). A snapshot not newer than the stored one is ignored: an
    /// installed snapshot may have overtaken it. It may run while a <see cref="SaveAsync"/> is in flight: the two
    /// touch different entries, since only entries above the commit index are ever replaced.
    /// </summary>
    ValueTask SaveSnapshotAsync(Snapshot snapshot, long compactTo, CancellationToken cancellationToken);

    /// <summary>
    /// Installs a snapshot from the leader (Figure 13 steps 7-8, <see cref="Ready.Snapshot"/>): one atomic, durable
    /// write that stores it, deletes the whole stored log, then stores <paramref name="hardState"/> and
    /// <paramref name="entries"/> (which continue after the snapshot).
    /// </summary>
    ValueTask InstallSnapshotAsync(Snapshot snapshot, HardState? hardState, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken);
}
