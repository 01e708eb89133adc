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

    private static LogEntry Entry(long index, long term) => new(index, term, EntryKind.NoOp, ReadOnlyMemory<byte>.Empty);
}
