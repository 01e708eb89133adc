namespace OrleansRaft.Grains.Mailbox;

internal sealed record ReadItem(string Key, ReadConsistency Consistency, TaskCompletionSource<KvResponse> Reply) : MailboxItem;
