namespace OrleansRaft.Grains.Mailbox;

internal sealed record StatusItem(TaskCompletionSource<ReplicaStatus> Reply) : MailboxItem;
