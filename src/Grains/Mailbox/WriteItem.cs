using System.Diagnostics;
using OrleansRaft.Grains.Kv;

namespace OrleansRaft.Grains.Mailbox;

/// <param name="Caller">The caller's current span (the silo's request span) when it was queued: the batch's trace parent.</param>
internal sealed record WriteItem(KvOperation Operation, string Key, ReadOnlyMemory<byte> Value, ClientRequest? Request, TaskCompletionSource<KvResponse> Reply, CancellationToken Cancellation, Activity? Caller)
    : MailboxItem;
