using OrleansRaft.Grains.Kv;

namespace OrleansRaft.Grains.Mailbox;

internal sealed record WriteItem(KvOperation Operation, string Key, ReadOnlyMemory<byte> Value, ClientRequest? Request, TaskCompletionSource<KvResponse> Reply, CancellationToken Cancellation)
    : MailboxItem;
