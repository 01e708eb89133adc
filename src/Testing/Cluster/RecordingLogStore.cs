using OrleansRaft.Grains.Storage;
using OrleansRaft.Raft;
using OrleansRaft.Raft.Storage;

namespace OrleansRaft.Testing.Cluster;

/// <summary>
/// Wraps a replica's store and keeps a copy of the log it holds, so a test can read what each replica has at
/// an index (6.5840's nCommitted) without reaching into the replica.
/// </summary>
public sealed class RecordingLogStore(ILogStore inner) : ILogStore
{
    private readonly Lock gate = new();
    private readonly SortedDictionary<long, LogEntry> entries = [];
    private long lastIndex;
    private long compactedTo;
    private Snapshot? snapshot;
    private HardState hardState;

    public ILogStore Inner => inner;

    /// <summary>The newest snapshot index this replica stored, taken or installed.</summary>
    public long SnapshotIndex { get; private set; }

    /// <summary>Snapshots installed from a leader.</summary>
    public int Installs { get; private set; }

    /// <summary>The entry stored at <paramref name="index"/>, or null.</summary>
    public LogEntry? Entry(long index)
    {
        lock (gate)
        {
            // Not GetValueOrDefault: for a struct that gives default(LogEntry), never null.
            return entries.TryGetValue(index, out var entry) ? entry : null;
        }
    }

    /// <summary>The last index stored: the snapshot's when no entry follows it, 0 when the store is empty.</summary>
    public long LastIndex
    {
        get
        {
            lock (gate)
            {
                return lastIndex;
            }
        }
    }

    /// <summary>The newest snapshot stored (taken, installed or loaded), or null: what a restart restores from.</summary>
    public Snapshot? Snapshot
    {
        get
        {
            lock (gate)
            {
                return snapshot;
            }
        }
    }

    /// <summary>
    /// How many log entries the store itself still holds: those after the compaction point (§7). The copy kept
    /// here (<see cref="Entries"/>) also remembers compacted ones; this is 6.5840's "Raft state size".
    /// </summary>
    public long RetainedEntries
    {
        get
        {
            lock (gate)
            {
                return Math.Max(0, lastIndex - compactedTo);
            }
        }
    }

    /// <summary>The bytes of the entries' data the store still holds (6.5840's RaftStateSize, less the hard state).</summary>
    public long RetainedBytes
    {
        get
        {
            lock (gate)
            {
                return entries.Where(e => e.Key > compactedTo && e.Key <= lastIndex).Sum(e => (long)e.Value.Data.Length);
            }
        }
    }

    /// <summary>The size of the newest stored snapshot's data, 0 for none (6.5840's SnapshotSize).</summary>
    public long SnapshotBytes
    {
        get
        {
            lock (gate)
            {
                return snapshot?.Data.Length ?? 0;
            }
        }
    }

    /// <summary>
    /// The snapshot index the last <see cref="LoadAsync"/> found, 0 for none: what a replica restarted from. (6.5840's
    /// snapshot Recover tests: a restart must restore the state machine from the snapshot, since the log before it is gone.)
    /// </summary>
    public long LoadedSnapshotIndex { get; private set; }

    /// <summary>The first index the store still holds an entry for (one past its compaction point).</summary>
    public long FirstIndex
    {
        get
        {
            lock (gate)
            {
                return compactedTo + 1;
            }
        }
    }

    /// <summary>The term, vote and commit index last stored (or loaded).</summary>
    public HardState HardState
    {
        get
        {
            lock (gate)
            {
                return hardState;
            }
        }
    }

    /// <summary>A copy of every stored entry, in index order: what a property check compares across replicas.</summary>
    public IReadOnlyList<LogEntry> Entries()
    {
        lock (gate)
        {
            return [.. entries.Values];
        }
    }

    public async ValueTask<MemoryStorage> LoadAsync(CancellationToken cancellationToken)
    {
        var storage = await inner.LoadAsync(cancellationToken);
        lock (gate)
        {
            SnapshotIndex = storage.Snapshot?.Index ?? 0;
            snapshot = storage.Snapshot;
            compactedTo = storage.FirstIndex - 1;
            LoadedSnapshotIndex = SnapshotIndex;
            entries.Clear();
            if (storage.LastIndex >= storage.FirstIndex)
            {
                foreach (var entry in storage.Entries(storage.FirstIndex, storage.LastIndex + 1, long.MaxValue))
                {
                    entries[entry.Index] = entry;
                }
            }

            lastIndex = storage.LastIndex;
            hardState = storage.HardState;
        }

        return storage;
    }

    public async ValueTask SaveAsync(HardState? hardState, IReadOnlyList<LogEntry> newEntries, bool sync, CancellationToken cancellationToken)
    {
        await inner.SaveAsync(hardState, newEntries, sync, cancellationToken);
        lock (gate)
        {
            this.hardState = hardState ?? this.hardState;
            if (newEntries.Count == 0)
            {
                return;
            }

            // §5.3: the stored suffix from the first new index on is replaced.
            for (var stale = newEntries[0].Index; stale <= lastIndex; stale++)
            {
                entries.Remove(stale);
            }

            foreach (var entry in newEntries)
            {
                entries[entry.Index] = entry;
            }

            lastIndex = newEntries[^1].Index;
        }
    }

    public async ValueTask SaveSnapshotAsync(Snapshot snapshot, long compactTo, CancellationToken cancellationToken)
    {
        await inner.SaveSnapshotAsync(snapshot, compactTo, cancellationToken);
        lock (gate)
        {
            // As the store: a snapshot not newer than the stored one is ignored.
            if (snapshot.Index > SnapshotIndex)
            {
                this.snapshot = snapshot;
                compactedTo = Math.Max(compactedTo, Math.Min(compactTo, snapshot.Index));
            }

            SnapshotIndex = Math.Max(SnapshotIndex, snapshot.Index);
        }
    }

    public async ValueTask InstallSnapshotAsync(Snapshot snapshot, HardState? hardState, IReadOnlyList<LogEntry> newEntries, CancellationToken cancellationToken)
    {
        await inner.InstallSnapshotAsync(snapshot, hardState, newEntries, cancellationToken);
        lock (gate)
        {
            // The log is replaced: the entries it held are no longer this replica's (what it applied is in the snapshot).
            entries.Clear();
            foreach (var entry in newEntries)
            {
                entries[entry.Index] = entry;
            }

            lastIndex = newEntries.Count > 0 ? newEntries[^1].Index : snapshot.Index;
            compactedTo = snapshot.Index;
            this.snapshot = snapshot;
            SnapshotIndex = Math.Max(SnapshotIndex, snapshot.Index);
            Installs++;
        }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
