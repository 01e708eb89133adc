namespace OrleansRaft.Grains.Mailbox;

internal sealed record TickItem : MailboxItem
{
    public static readonly TickItem Instance = new();
}
