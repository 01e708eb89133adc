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
    public async Task CompactionKeepsTheCopyButNotTheStoredEntries()
    {
        var inner = new InMemoryLogStore();
        await using var store = new RecordingLogStore(inner);
        await store.SaveAsync(new HardState(1, 0, 10), [.. Enumerable.Range(1, 10).Select(i => Entry(i, 1))], sync: true, CancellationToken.None);

        await store.SaveSnapshotAsync(Snapshot(8), compactTo: 6, CancellationToken.None);
        Assert.Equal((7, 4, 8), (store.FirstIndex, store.RetainedEntries, store.Snapshot!.Index));
        Assert.Equal(10, store.Entries().Count);

        // As the store: a snapshot not newer than the stored one changes nothing.
        await store.SaveSnapshotAsync(Snapshot(7), compactTo: 7, CancellationToken.None);
        Assert.Equal((7, 4, 8), (store.FirstIndex, store.RetainedEntries, store.Snapshot!.Index));

        // A restart sees what the store kept.
        await using var restarted = new RecordingLogStore(inner);
        await restarted.LoadAsync(CancellationToken.None);
        Assert.Equal((7, 10, 4, 8), (restarted.FirstIndex, restarted.LastIndex, restarted.RetainedEntries, restarted.Snapshot!.Index));
        Assert.Null(restarted.Entry(6));
    }

    [Fact]
    public async Task InstalledSnapshotReplacesALongerLog()
    {
        await using var store = new RecordingLogStore(new InMemoryLogStore());
        await store.SaveAsync(new HardState(1, 0, 0), [.. Enumerable.Range(1, 20).Select(i => Entry(i, 1))], sync: true, CancellationToken.None);

        await store.InstallSnapshotAsync(Snapshot(15), new HardState(2, 0, 15), [Entry(16, 2)], CancellationToken.None);
        Assert.Equal((16, 16, 1, 1), (store.FirstIndex, store.LastIndex, store.RetainedEntries, store.Installs));
        Assert.Null(store.Entry(17));

        await store.InstallSnapshotAsync(Snapshot(30), null, [], CancellationToken.None);
        Assert.Equal((31, 30, 0, 30), (store.FirstIndex, store.LastIndex, store.RetainedEntries, store.SnapshotIndex));
    }

    private static Snapshot Snapshot(long index) => new(index, 1, new Configuration([1], []), new byte[] { (byte)index });

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
        Assert.Equal((15L, 13L, 8L, 16L, 4L), (after.LoadedSnapshotIndex, after.FirstIndex, after.RetainedEntries, after.RetainedBytes, after.SnapshotBytes));
    }

    private static LogEntry Entry(long index, long term, int bytes = 0) => new(index, term, EntryKind.NoOp, bytes == 0 ? ReadOnlyMemory<byte>.Empty : new byte[bytes]);

    private static Snapshot Snapshot(long index, long term, int bytes) => new(index, term, new Configuration([1, 2, 3], []), new byte[bytes]);
}
