using OrleansRaft.Grains.Storage;

namespace OrleansRaft.Grains.Tests.Storage;

public sealed class InMemoryLogStoreTests : LogStoreContract
{
    protected override ILogStore CreateStore(long groupId, long nodeId) => new InMemoryLogStore();

    // The in-memory store is its own durable state: a restart loads from the same instance.
    protected override ValueTask<ILogStore> ReopenAsync(ILogStore store, long groupId, long nodeId) => ValueTask.FromResult(store);
}
