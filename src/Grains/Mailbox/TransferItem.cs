using System.Diagnostics;

namespace OrleansRaft.Grains.Mailbox;

internal sealed record TransferItem(long To, TaskCompletionSource<bool> Reply, Activity? Caller) : MailboxItem;
