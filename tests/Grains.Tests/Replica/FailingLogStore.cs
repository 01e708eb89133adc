using OrleansRaft.Grains.Storage;
using OrleansRaft.Raft;
using OrleansRaft.Raft.Storage;

namespace OrleansRaft.Grains.Tests.Replica;

/// <summary>A store that works until told to fail, as a full or broken disk would.</summary>
internal sealed class FailingLogStore(ILogStore inner) : ILogStore
{
    public bool Failing { get; set; }

    public ValueTask<MemoryStorage> LoadAsync(CancellationToken cancellationToken) => inner.LoadAsync(cancellationToken);

    public ValueTask SaveAsync(HardState? hardState, IReadOnlyList<LogEntry> entries, bool sync, CancellationToken cancellationToken) =>
        Failing ? throw new IOException("No space left on device") : inner.SaveAsync(hardState, entries, sync, cancellationToken);

    public ValueTask SaveSnapshotAsync(Snapshot snapshot, long compactTo, CancellationToken cancellationToken) =>
        Failing ? throw new IOException("No space left on device") : inner.SaveSnapshotAsync(snapshot, compactTo, cancellationToken);

    public ValueTask InstallSnapshotAsync(Snapshot snapshot, HardState? hardState, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken) =>
        Failing ? throw new IOException("No space left on device") : inner.InstallSnapshotAsync(snapshot, hardState, entries, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
