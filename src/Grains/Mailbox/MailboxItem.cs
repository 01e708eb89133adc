namespace OrleansRaft.Grains.Mailbox;

/// <summary>One input to a replica grain's turn loop.</summary>
internal abstract record MailboxItem;
