using OrleansRaft.Grains.Storage;
using OrleansRaft.Raft;
using OrleansRaft.Testing.Cluster;

namespace OrleansRaft.Grains.Tests.Cluster;

public sealed class RecordingLogStoreTests
{
    [Fact]
    public async Task EntryIsNullWhereNothingIsStored()
    {
        await using var store = new RecordingLogStore(new InMemoryLogStore());
        await store.SaveAsync(new HardState(1, 0, 0), [Entry(1, 1), Entry(2, 1), Entry(3, 1)], sync: true, CancellationToken.None);

        Assert.Equal(Entry(2, 1), store.Entry(2));
        Assert.Null(store.Entry(0));
        Assert.Null(store.Entry(4));

        // §5.3: a conflicting suffix replaces everything from its first index on.
        await store.SaveAsync(null, [Entry(2, 2)], sync: true, CancellationToken.None);
        Assert.Equal(Entry(2, 2), store.Entry(2));
        Assert.Null(store.Entry(3));
    }

    [Fact]
    public async Task CompactionAndInstallsMoveWhereTheStoredLogStarts()
    {
        await using var store = new RecordingLogStore(new InMemoryLogStore());
        Assert.Equal((1L, 0, 0L), (store.FirstIndex, store.RetainedEntries, store.SnapshotBytes));
        await store.SaveAsync(new HardState(1, 0, 20), [.. Enumerable.Range(1, 20).Select(i => Entry(i, 1, bytes: 3))], sync: true, CancellationToken.None);
        Assert.Equal((20, 60L), (store.RetainedEntries, store.RetainedBytes));

        // §7: the snapshot at 15 keeps 3 entries behind it.
        await store.SaveSnapshotAsync(Snapshot(15, 1, bytes: 7), compactTo: 12, CancellationToken.None);
        Assert.Equal((13L, 8, 24L, 15L, 7L), (store.FirstIndex, store.RetainedEntries, store.RetainedBytes, store.SnapshotIndex, store.SnapshotBytes));

        // An older snapshot is ignored, as the store ignores it.
        await store.SaveSnapshotAsync(Snapshot(14, 1, bytes: 5), compactTo: 14, CancellationToken.None);
        Assert.Equal((13L, 8, 15L, 7L), (store.FirstIndex, store.RetainedEntries, store.SnapshotIndex, store.SnapshotBytes));

        // An installed snapshot replaces the whole log.
        await store.InstallSnapshotAsync(Snapshot(30, 2, bytes: 9), new HardState(2, 0, 30), [Entry(31, 2), Entry(32, 2), Entry(33, 2)], CancellationToken.None);
        Assert.Equal((31L, 3, 33L, 1, 9L), (store.FirstIndex, store.RetainedEntries, store.LastIndex, store.Installs, store.SnapshotBytes));

        // A conflicting suffix after the install still replaces everything from its first index on.
        await store.SaveAsync(null, [Entry(32, 3)], sync: true, CancellationToken.None);
        Assert.Null(store.Entry(33));
        Assert.Equal((32L, 2), (store.LastIndex, store.RetainedEntries));
    }

    [Fact]
    public async Task LoadReportsTheSnapshotARestartStartsFrom()
    {
        var inner = new InMemoryLogStore();
        var before = new RecordingLogStore(inner);
        Assert.Equal(0L, (await before.LoadAsync(CancellationToken.None)).Snapshot?.Index ?? 0);
        Assert.Equal((0L, 1L), (before.LoadedSnapshotIndex, before.FirstIndex));
        await before.SaveAsync(new HardState(1, 0, 20), [.. Enumerable.Range(1, 20).Select(i => Entry(i, 1, bytes: 2))], sync: true, CancellationToken.None);
        await before.SaveSnapshotAsync(Snapshot(15, 1, bytes: 4), compactTo: 12, CancellationToken.None);
        Assert.Equal(0L, before.LoadedSnapshotIndex);

        // The next replica on the same store: what survived the crash.
        await using var after = new RecordingLogStore(inner);
        await after.LoadAsync(CancellationToken.None);
        Assert.Equal((15L, 13L, 8, 16L, 4L), (after.LoadedSnapshotIndex, after.FirstIndex, after.RetainedEntries, after.RetainedBytes, after.SnapshotBytes));
    }

    private static LogEntry Entry(long index, long term, int bytes = 0) => new(index, term, EntryKind.NoOp, bytes == 0 ? ReadOnlyMemory<byte>.Empty : new byte[bytes]);

    private static Snapshot Snapshot(long index, long term, int bytes) => new(index, term, new Configuration([1, 2, 3], []), new byte[bytes]);
}
