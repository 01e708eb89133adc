using OrleansRaft.Raft;

namespace OrleansRaft.Grains.Mailbox;

/// <summary>A snapshot this replica took is durable (or failed with <paramref name="Error"/>): compact the log.</summary>
internal sealed record SnapshotSavedItem(Snapshot Snapshot, long CompactTo, Exception? Error) : MailboxItem;
