namespace OrleansRaft.Grains.Mailbox;

/// <summary>Completes once every item queued before it was handled and its Ready processed.</summary>
internal sealed record FlushItem(TaskCompletionSource Done) : MailboxItem;
