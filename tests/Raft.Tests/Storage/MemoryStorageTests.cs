using OrleansRaft.Raft.Storage;

namespace OrleansRaft.Raft.Tests.Storage;

public sealed class MemoryStorageTests
{
    private static readonly Configuration Voters = new([1, 2, 3], []);

    [Fact]
    public void Empty_HasFirstIndexOneAndLastIndexZero()
    {
        var storage = new MemoryStorage();

        Assert.Equal(1, storage.FirstIndex);
        Assert.Equal(0, storage.LastIndex);
        Assert.Equal(0, storage.Term(0));
        Assert.Equal(HardState.Empty, storage.HardState);
        Assert.Empty(storage.Entries(1, 1, long.MaxValue));
    }

    [Fact]
    public void Append_ExtendsTheLog()
    {
        var storage = new MemoryStorage();
        storage.Append([Entry(1, 1), Entry(2, 1)]);
        storage.Append([Entry(3, 2)]);
        storage.Append([]);

        Assert.Equal(3, storage.LastIndex);
        Assert.Equal([1L, 1, 2], Terms(storage));
    }

    [Fact]
    public void Append_DeletesTheConflictingSuffix()
    {
        var storage = Filled(1, 1, 2, 2, 2);

        storage.Append([Entry(3, 3), Entry(4, 3)]);

        Assert.Equal(4, storage.LastIndex);
        Assert.Equal([1L, 1, 3, 3], Terms(storage));
    }

    [Fact]
    public void Append_RejectsAGapAndTheCompactedPrefix()
    {
        var storage = Filled(1, 1, 2);
        Assert.Throws<InvalidOperationException>(() => storage.Append([Entry(5, 2)]));

        Compact(storage, 2);
        Assert.Throws<InvalidOperationException>(() => storage.Append([Entry(2, 3)]));
        Assert.Equal([2L], Terms(storage));
    }

    [Fact]
    public void Term_OutsideTheStoredRange_Throws()
    {
        var storage = Filled(1, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.Term(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.Term(-1));
    }

    [Fact]
    public void Compact_KeepsTheTermOfTheLastCompactedEntry()
    {
        var storage = Filled(1, 1, 2, 3, 3);

        Compact(storage, 3);

        Assert.Equal(4, storage.FirstIndex);
        Assert.Equal(5, storage.LastIndex);
        Assert.Equal(2, storage.Term(3)); // Term(FirstIndex - 1) still answers
        Assert.Equal(3, storage.Term(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.Term(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.Entries(3, 5, long.MaxValue));
        Assert.Equal([4L, 5L], storage.Entries(4, 6, long.MaxValue).Select(e => e.Index));

        storage.Compact(2); // already compacted: no-op
        Assert.Equal(4, storage.FirstIndex);
        Assert.Throws<InvalidOperationException>(() => storage.Compact(9));
    }

    [Fact]
    public void Compact_Everything_LeavesAnEmptyLogThatContinuesAfterIt()
    {
        var storage = Filled(1, 1, 2);

        Compact(storage, 3);

        Assert.Equal((4L, 3L), (storage.FirstIndex, storage.LastIndex));
        Assert.Equal(2, storage.Term(3));
        storage.Append([Entry(4, 2)]);
        Assert.Equal(4, storage.LastIndex);
    }

    [Theory]
    [InlineData(0, 1)] // below one entry: still one
    [InlineData(123, 1)]
    [InlineData(124, 1)]
    [InlineData(247, 1)]
    [InlineData(248, 2)]
    [InlineData(372, 3)]
    [InlineData(long.MaxValue, 4)]
    public void Entries_RespectsMaxBytesButReturnsAtLeastOne(long maxBytes, int expected)
    {
        var storage = new MemoryStorage();
        storage.Append([.. Enumerable.Range(1, 5).Select(i => new LogEntry(i, 1, EntryKind.Command, new byte[100]))]); // 124 bytes each

        var entries = storage.Entries(2, 6, maxBytes);

        Assert.Equal(expected, entries.Count);
        Assert.Equal(Enumerable.Range(2, expected).Select(i => (long)i), entries.Select(e => e.Index));
    }

    [Fact]
    public void Entries_OutsideTheLog_Throws()
    {
        var storage = Filled(1, 1, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.Entries(2, 5, long.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.Entries(0, 2, long.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.Entries(3, 2, long.MaxValue));
    }

    [Fact]
    public void Clone_IsIndependent()
    {
        var storage = Filled(1, 1, 2);
        storage.SetHardState(new HardState(2, 1, 2));

        var copy = storage.Clone();
        storage.Append([Entry(2, 3)]);
        storage.SetHardState(new HardState(3, 0, 2));

        Assert.Equal([1L, 1, 2], Terms(copy));
        Assert.Equal(new HardState(2, 1, 2), copy.HardState);
        Assert.Equal([1L, 3], Terms(storage));
    }

    [Fact]
    public void Compact_WithoutASnapshotCoveringIt_IsRefused()
    {
        var storage = Filled(1, 1, 2, 3);
        Assert.Throws<InvalidOperationException>(() => storage.Compact(2));

        storage.CreateSnapshot(2, Voters, new byte[] { 7 });
        Assert.Throws<InvalidOperationException>(() => storage.Compact(3)); // beyond the snapshot
        storage.Compact(1); // less than the snapshot covers: fine, the tail stays for slow followers
        Assert.Equal(2, storage.FirstIndex);
        Assert.Equal(2, storage.Snapshot!.Index);
    }

    [Fact]
    public void CreateSnapshot_RecordsIndexTermConfigurationAndData_AndKeepsTheEntries()
    {
        var storage = Filled(1, 1, 2, 3);

        var snapshot = storage.CreateSnapshot(3, Voters, new byte[] { 1, 2, 3 });

        Assert.Same(snapshot, storage.Snapshot);
        Assert.Equal((3L, 2L), (snapshot.Index, snapshot.Term));
        Assert.Equal(Voters, snapshot.Configuration);
        Assert.Equal(new byte[] { 1, 2, 3 }, snapshot.Data.ToArray());
        Assert.Equal((1L, 4L), (storage.FirstIndex, storage.LastIndex));
    }

    [Fact]
    public void CreateSnapshot_NotNewerThanTheStoredOne_OrOutsideTheLog_IsRefused()
    {
        var storage = Filled(1, 1, 2, 3);
        storage.CreateSnapshot(2, Voters, ReadOnlyMemory<byte>.Empty);

        Assert.Throws<InvalidOperationException>(() => storage.CreateSnapshot(2, Voters, ReadOnlyMemory<byte>.Empty));
        Assert.Throws<InvalidOperationException>(() => storage.CreateSnapshot(1, Voters, ReadOnlyMemory<byte>.Empty));
        Assert.Throws<InvalidOperationException>(() => storage.CreateSnapshot(5, Voters, ReadOnlyMemory<byte>.Empty));
        Assert.Equal(2, storage.Snapshot!.Index);
    }

    [Fact]
    public void ApplySnapshot_ReplacesTheWholeLog()
    {
        var storage = Filled(1, 1, 2, 3);
        var snapshot = new Snapshot(10, 4, Voters, new byte[] { 9 });

        storage.ApplySnapshot(snapshot);

        Assert.Same(snapshot, storage.Snapshot);
        Assert.Equal((11L, 10L), (storage.FirstIndex, storage.LastIndex));
        Assert.Equal(4, storage.Term(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.Term(9));
        storage.Append([Entry(11, 4)]);
        Assert.Equal([4L], Terms(storage));
    }

    [Fact]
    public void ApplySnapshot_NotNewerThanTheStoredOne_IsRefused()
    {
        var storage = new MemoryStorage();
        storage.ApplySnapshot(new Snapshot(10, 4, Voters, ReadOnlyMemory<byte>.Empty));

        Assert.Throws<InvalidOperationException>(() => storage.ApplySnapshot(new Snapshot(10, 4, Voters, ReadOnlyMemory<byte>.Empty)));
        Assert.Throws<InvalidOperationException>(() => storage.ApplySnapshot(new Snapshot(9, 4, Voters, ReadOnlyMemory<byte>.Empty)));
    }

    [Fact]
    public void Clone_KeepsTheSnapshot()
    {
        var storage = Filled(1, 1, 2);
        Compact(storage, 2);

        var copy = storage.Clone();

        Assert.Same(storage.Snapshot, copy.Snapshot);
        Assert.Equal((3L, 3L), (copy.FirstIndex, copy.LastIndex));
        Assert.Equal(1, copy.Term(2));
    }

    private static void Compact(MemoryStorage storage, long index)
    {
        storage.CreateSnapshot(index, Voters, ReadOnlyMemory<byte>.Empty);
        storage.Compact(index);
    }

    private static LogEntry Entry(long index, long term) => new(index, term, EntryKind.Command, new[] { (byte)index });

    private static MemoryStorage Filled(params long[] terms)
    {
        var storage = new MemoryStorage();
        storage.Append([.. terms.Select((t, i) => Entry(i + 1, t))]);
        return storage;
    }

    private static long[] Terms(MemoryStorage storage) =>
        [.. storage.Entries(storage.FirstIndex, storage.LastIndex + 1, long.MaxValue).Select(e => e.Term)];
}
