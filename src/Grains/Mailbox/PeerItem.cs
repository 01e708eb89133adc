using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains.Mailbox;

internal sealed record PeerItem(RaftMessage Message) : MailboxItem;
