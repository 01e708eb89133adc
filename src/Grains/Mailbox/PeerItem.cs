using System.Diagnostics;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains.Mailbox;

/// <param name="TraceContext">The sender's span for this message (AppendEntries, RequestVote, TimeoutNow), when it sent one.</param>
internal sealed record PeerItem(RaftMessage Message, ActivityContext TraceContext = default) : MailboxItem;
