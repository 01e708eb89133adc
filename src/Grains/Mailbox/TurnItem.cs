namespace OrleansRaft.Grains.Mailbox;

/// <summary>Work that must run on the turn loop (it touches the core); <see cref="Abandon"/> if the loop stopped first.</summary>
internal sealed record TurnItem(Action Run, Action<string> Abandon) : MailboxItem;
