namespace OrleansRaft.Grains.Mailbox;

internal sealed record UnreachableItem(long Peer) : MailboxItem;
