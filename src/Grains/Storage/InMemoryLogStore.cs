using OrleansRaft.Raft;
using OrleansRaft.Raft.Storage;

namespace OrleansRaft.Grains.Storage;

/// <summary>
/// A log store in process memory. "Durable" here means it survives the replica that wrote it: tests crash a
/// replica and start a new one over the same store.
/// </summary>
public sealed class InMemoryLogStore : ILogStore
{
    private readonly Lock gate = new();
    private readonly MemoryStorage durable = new();

    public ValueTask<MemoryStorage> LoadAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return ValueTask.FromResult(durable.Clone());
        }
    }

    public ValueTask SaveAsync(HardState? hardState, IReadOnlyList<LogEntry> entries, bool sync, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            durable.Append(entries);
            if (hardState is { } state)
            {
                durable.SetHardState(state);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask SaveSnapshotAsync(Snapshot snapshot, long compactTo, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (durable.Snapshot is { } stored && stored.Index >= snapshot.Index)
            {
                return ValueTask.CompletedTask;
            }

            durable.CreateSnapshot(snapshot.Index, snapshot.Configuration, snapshot.Data);
            durable.Compact(Math.Min(compactTo, snapshot.Index));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask InstallSnapshotAsync(Snapshot snapshot, HardState? hardState, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            durable.ApplySnapshot(snapshot);
            durable.Append(entries);
            if (hardState is { } state)
            {
                durable.SetHardState(state);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
