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
}
