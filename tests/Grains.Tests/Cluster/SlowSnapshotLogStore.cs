using OrleansRaft.Grains.Storage;
using OrleansRaft.Raft;
using OrleansRaft.Raft.Storage;

namespace OrleansRaft.Grains.Tests.Cluster;

/// <summary>A store whose snapshot writes take <paramref name="delay"/> of real time, as a slow disk or a busy thread pool.</summary>
internal sealed class SlowSnapshotLogStore(ILogStore inner, TimeSpan delay) : ILogStore
{
    public ValueTask<MemoryStorage> LoadAsync(CancellationToken cancellationToken) => inner.LoadAsync(cancellationToken);

    public ValueTask SaveAsync(HardState? hardState, IReadOnlyList<LogEntry> entries, bool sync, CancellationToken cancellationToken) =>
        inner.SaveAsync(hardState, entries, sync, cancellationToken);

    public async ValueTask SaveSnapshotAsync(Snapshot snapshot, long compactTo, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        await inner.SaveSnapshotAsync(snapshot, compactTo, cancellationToken);
    }

    public ValueTask InstallSnapshotAsync(Snapshot snapshot, HardState? hardState, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken) =>
        inner.InstallSnapshotAsync(snapshot, hardState, entries, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
