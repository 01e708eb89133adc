using OrleansRaft.Grains.Storage;
using OrleansRaft.Raft;
using OrleansRaft.Raft.Storage;

namespace OrleansRaft.Grains.Tests.Storage;

/// <summary>
/// What every <see cref="ILogStore"/> must do. A concrete class says how to open a store for a replica and what
/// "reopen" (a restart over the same durable state) means for it.
/// </summary>
public abstract class LogStoreContract : IAsyncLifetime
{
    private static long nextGroup = Random.Shared.NextInt64(1, 1L << 40);

    private readonly List<ILogStore> opened = [];

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in opened)
        {
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task EmptyLogLoadsAsEmpty()
    {
        var (_, log) = await OpenAsync(NewGroup(), 1);

        Assert.Equal(0, log.LastIndex);
        Assert.Equal(1, log.FirstIndex);
        Assert.Equal(HardState.Empty, log.HardState);
    }

    [Fact]
    public async Task AppendedEntriesSurviveReopen()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        var backing = new byte[] { 9, 1, 2, 3, 9 };
        var entries = new[]
        {
            Entry(1, 1, [1, 2, 3]),
            new LogEntry(2, 1, EntryKind.Command, backing.AsMemory(1, 3)), // a slice of a larger array
            Entry(3, 2, [42]),
        };

        await store.SaveAsync(null, entries, true, default);
        var log = await ReloadAsync(store, group, 1);

        AssertLog(log, entries);
    }

    [Fact]
    public async Task ConflictingSuffixIsOverwritten()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        await store.SaveAsync(null, Entries(1, 10, term: 1), true, default);

        await store.SaveAsync(null, Entries(6, 8, term: 2), true, default);
        var log = await ReloadAsync(store, group, 1);

        AssertLog(log, [.. Entries(1, 5, term: 1), .. Entries(6, 8, term: 2)]);
    }

    [Fact]
    public async Task ConflictingSuffixIsOverwrittenAfterReopen()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        await store.SaveAsync(null, Entries(1, 10, term: 1), true, default);
        store = Track(await ReopenAsync(store, group, 1));
        await store.LoadAsync(default);

        await store.SaveAsync(null, Entries(6, 8, term: 2), true, default);
        await store.SaveAsync(null, Entries(9, 9, term: 2), true, default);
        var log = await ReloadAsync(store, group, 1);

        AssertLog(log, [.. Entries(1, 5, term: 1), .. Entries(6, 9, term: 2)]);
    }

    [Fact]
    public async Task LargeConflictingSuffixIsOverwritten()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        await store.SaveAsync(null, Entries(1, 300, term: 1), true, default);

        await store.SaveAsync(null, Entries(101, 250, term: 3), true, default);
        var log = await ReloadAsync(store, group, 1);

        AssertLog(log, [.. Entries(1, 100, term: 1), .. Entries(101, 250, term: 3)]);
    }

    [Fact]
    public async Task HardStateRoundTrips()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        await store.SaveAsync(new HardState(5, 3, 0), Entries(1, 2, term: 5), true, default);

        await store.SaveAsync(new HardState(6, 2, 2), [], true, default);
        var log = await ReloadAsync(store, group, 1);

        Assert.Equal(new HardState(6, 2, 2), log.HardState);
        AssertLog(log, Entries(1, 2, term: 5));
    }

    [Fact]
    public async Task HardStateAloneIsStored()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);

        await store.SaveAsync(new HardState(7, 4, 0), [], true, default);
        var log = await ReloadAsync(store, group, 1);

        Assert.Equal(new HardState(7, 4, 0), log.HardState);
        Assert.Equal(0, log.LastIndex);
    }

    [Fact]
    public async Task NothingToWriteIsANoOp()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);

        await store.SaveAsync(null, [], true, default);
        await store.SaveAsync(null, [], false, default);
        var log = await ReloadAsync(store, group, 1);

        Assert.Equal(0, log.LastIndex);
        Assert.Equal(HardState.Empty, log.HardState);
    }

    [Fact]
    public async Task LargeBatchSurvivesReopen()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        var entries = Entries(1, 20_000, term: 3);

        await store.SaveAsync(new HardState(3, 1, 15_000), entries, true, default);
        var log = await ReloadAsync(store, group, 1);

        AssertLog(log, entries);
        Assert.Equal(new HardState(3, 1, 15_000), log.HardState);
    }

    [Fact]
    public async Task LargeEntrySurvivesReopen()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        var payload = new byte[1 << 20];
        new Random(7).NextBytes(payload);
        var entries = new[] { Entry(1, 1, [1]), Entry(2, 1, payload), Entry(3, 1, [3]) };

        await store.SaveAsync(null, entries, true, default);
        var log = await ReloadAsync(store, group, 1);

        AssertLog(log, entries);
    }

    [Fact]
    public async Task ManySmallBatchesSurviveReopen()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        var expected = new List<LogEntry>();
        var random = new Random(11);
        long next = 1;
        for (var batch = 0; batch < 300; batch++)
        {
            var size = random.Next(1, 4);
            var entries = Entries(next, next + size - 1, term: 1 + (batch / 100));
            expected.AddRange(entries);
            next += size;
            await store.SaveAsync(new HardState(1 + (batch / 100), 1, next - 2), entries, batch % 2 == 0, default);
        }

        var log = await ReloadAsync(store, group, 1);

        AssertLog(log, expected);
        Assert.Equal(new HardState(3, 1, next - 2), log.HardState);
    }

    [Fact]
    public async Task EmptyPayloadSurvivesReopen()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        var entries = new[] { Entry(1, 1, [], EntryKind.NoOp), new LogEntry(2, 1, EntryKind.Command, default) };

        await store.SaveAsync(null, entries, true, default);
        var log = await ReloadAsync(store, group, 1);

        AssertLog(log, entries);
    }

    [Fact]
    public async Task EntryKindsArePreserved()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        var entries = new[]
        {
            Entry(1, 1, [], EntryKind.NoOp),
            Entry(2, 1, [1, 2], EntryKind.Command),
            Entry(3, 1, [3, 4], EntryKind.Configuration),
        };

        await store.SaveAsync(null, entries, true, default);
        var log = await ReloadAsync(store, group, 1);

        AssertLog(log, entries);
    }

    [Fact]
    public async Task UnsyncedWritesAreVisibleAfterReopen()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        await store.SaveAsync(new HardState(2, 1, 0), Entries(1, 3, term: 2), false, default);

        await store.SaveAsync(new HardState(2, 1, 3), [], false, default);
        await store.SaveAsync(null, Entries(4, 100, term: 2), false, default);
        var log = await ReloadAsync(store, group, 1);

        AssertLog(log, Entries(1, 100, term: 2));
        Assert.Equal(new HardState(2, 1, 3), log.HardState);
    }

    [Fact]
    public async Task ReplicasWithDifferentKeysAreIsolated()
    {
        var group = NewGroup();
        var other = NewGroup();
        var (a, _) = await OpenAsync(group, 1);
        var (b, _) = await OpenAsync(group, 2);
        var (c, _) = await OpenAsync(other, 1);

        await a.SaveAsync(new HardState(1, 1, 1), Entries(1, 5, term: 1), true, default);
        await b.SaveAsync(new HardState(2, 2, 0), Entries(1, 2, term: 2), true, default);
        await c.SaveAsync(new HardState(3, 0, 0), Entries(1, 70, term: 3), true, default);
        await b.SaveAsync(null, Entries(1, 1, term: 4), true, default);

        AssertLog(await ReloadAsync(a, group, 1), Entries(1, 5, term: 1));
        var logB = await ReloadAsync(b, group, 2);
        AssertLog(logB, Entries(1, 1, term: 4));
        Assert.Equal(new HardState(2, 2, 0), logB.HardState);
        var logC = await ReloadAsync(c, other, 1);
        AssertLog(logC, Entries(1, 70, term: 3));
        Assert.Equal(new HardState(3, 0, 0), logC.HardState);
    }

    [Fact]
    public async Task AppendLeavingAGapIsRejected()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        await store.SaveAsync(null, Entries(1, 3, term: 1), true, default);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.SaveAsync(null, Entries(5, 6, term: 1), true, default));
        await store.SaveAsync(null, Entries(4, 4, term: 1), true, default);
        var log = await ReloadAsync(store, group, 1);

        AssertLog(log, Entries(1, 4, term: 1));
    }

    [Fact]
    public async Task ASnapshotCompactsThePrefixAndSurvivesReopen()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        await store.SaveAsync(new HardState(2, 1, 8), Entries(1, 10, term: 2), true, default);
        var data = new byte[(3 << 20) + 17]; // spans several stored chunks
        new Random(7).NextBytes(data);

        await store.SaveSnapshotAsync(new Snapshot(8, 2, new Configuration([1, 2, 3], [4]), data), compactTo: 6, default);
        var log = await ReloadAsync(store, group, 1);

        var snapshot = Assert.IsType<Snapshot>(log.Snapshot);
        Assert.Equal((8L, 2L), (snapshot.Index, snapshot.Term));
        Assert.Equal(new Configuration([1, 2, 3], [4]), snapshot.Configuration);
        Assert.True(data.AsSpan().SequenceEqual(snapshot.Data.Span), "snapshot data differs after reopen");
        Assert.Equal(new HardState(2, 1, 8), log.HardState);
        Assert.True(log.FirstIndex is >= 7 and <= 9, $"entries up to 6 are compacted, 9 and 10 kept: first index {log.FirstIndex}");
        Assert.Equal(10, log.LastIndex);
        Assert.Equal(2, log.Term(10));
        Assert.Equal(9, log.Entries(9, 10, long.MaxValue).Single().Index);
    }

    [Fact]
    public async Task AnOlderSnapshotDoesNotReplaceANewerOne()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        await store.SaveAsync(null, Entries(1, 10, term: 1), true, default);
        await store.SaveSnapshotAsync(new Snapshot(9, 1, new Configuration([1], []), new byte[] { 9 }), compactTo: 9, default);

        await store.SaveSnapshotAsync(new Snapshot(5, 1, new Configuration([1], []), new byte[] { 5 }), compactTo: 5, default);
        var log = await ReloadAsync(store, group, 1);

        Assert.Equal(9, log.Snapshot!.Index);
        Assert.Equal(new byte[] { 9 }, log.Snapshot.Data.ToArray());
        Assert.Equal(10, log.LastIndex);
    }

    [Fact]
    public async Task AnInstalledSnapshotReplacesTheWholeLog()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        await store.SaveAsync(new HardState(1, 1, 3), Entries(1, 5, term: 1), true, default);

        var snapshot = new Snapshot(20, 3, new Configuration([1, 2], []), new byte[] { 1, 2, 3 });
        await store.InstallSnapshotAsync(snapshot, new HardState(3, 2, 20), Entries(21, 22, term: 3), default);
        await store.SaveAsync(null, Entries(23, 23, term: 3), true, default);
        var log = await ReloadAsync(store, group, 1);

        Assert.Equal(20, log.Snapshot!.Index);
        Assert.Equal(new HardState(3, 2, 20), log.HardState);
        Assert.Equal(21, log.FirstIndex);
        Assert.Equal(23, log.LastIndex);
        Assert.Equal(3, log.Term(20));
        Assert.Equal(3, log.Term(23));
    }

    [Fact]
    public async Task AnInstalledSnapshotWithoutEntriesLeavesAnEmptyLogAfterIt()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        await store.SaveAsync(null, Entries(1, 30, term: 1), true, default);

        await store.InstallSnapshotAsync(new Snapshot(12, 2, new Configuration([1], []), new byte[] { 4 }), new HardState(2, 0, 12), [], default);
        await store.SaveAsync(null, Entries(13, 14, term: 2), true, default);
        var log = await ReloadAsync(store, group, 1);

        Assert.Equal(13, log.FirstIndex);
        Assert.Equal(14, log.LastIndex);
        Assert.Equal(2, log.Term(14));
    }

    /// <summary>A store for replica (group, node), not yet loaded.</summary>
    protected abstract ILogStore CreateStore(long groupId, long nodeId);

    /// <summary>What a restarted replica would use to read the durable state <paramref name="store"/> wrote.</summary>
    protected abstract ValueTask<ILogStore> ReopenAsync(ILogStore store, long groupId, long nodeId);

    /// <summary>A group id no other test in this process uses.</summary>
    protected static long NewGroup() => Interlocked.Increment(ref nextGroup);

    protected static LogEntry Entry(long index, long term, byte[] data, EntryKind kind = EntryKind.Command) =>
        new(index, term, kind, data);

    /// <summary>Entries <paramref name="first"/>..<paramref name="last"/> with small payloads derived from index and term.</summary>
    protected static LogEntry[] Entries(long first, long last, long term)
    {
        var entries = new LogEntry[last - first + 1];
        for (var i = 0; i < entries.Length; i++)
        {
            var index = first + i;
            var payload = new byte[(int)(index % 17)];
            for (var b = 0; b < payload.Length; b++)
            {
                payload[b] = (byte)(index + term + b);
            }

            entries[i] = new LogEntry(index, term, (EntryKind)(index % 3), payload);
        }

        return entries;
    }

    protected static void AssertLog(MemoryStorage log, IReadOnlyList<LogEntry> expected)
    {
        Assert.Equal(1, log.FirstIndex);
        Assert.Equal(expected.Count, log.LastIndex);
        var actual = log.Entries(1, log.LastIndex + 1, long.MaxValue);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Index, actual[i].Index);
            Assert.Equal(expected[i].Term, actual[i].Term);
            Assert.Equal(expected[i].Kind, actual[i].Kind);
            Assert.True(
                expected[i].Data.Span.SequenceEqual(actual[i].Data.Span),
                $"payload of entry {expected[i].Index} differs ({expected[i].Data.Length} vs {actual[i].Data.Length} bytes)");
        }
    }

    /// <summary>Opens and loads a store, disposing it with the test.</summary>
    protected async Task<(ILogStore Store, MemoryStorage Log)> OpenAsync(long groupId, long nodeId)
    {
        var store = Track(CreateStore(groupId, nodeId));
        return (store, await store.LoadAsync(default));
    }

    protected ILogStore Track(ILogStore store)
    {
        opened.Add(store);
        return store;
    }

    private async Task<MemoryStorage> ReloadAsync(ILogStore store, long groupId, long nodeId)
    {
        var reopened = Track(await ReopenAsync(store, groupId, nodeId));
        return await reopened.LoadAsync(default);
    }
}
