namespace OrleansRaft.Testing.Cluster;

/// <summary>What the network does with one message: lose it, or deliver it after a delay (and maybe twice).</summary>
internal readonly record struct MessageFate(bool Lost, TimeSpan Delay, TimeSpan? DuplicateDelay)
{
    public static MessageFate Dropped => new(true, TimeSpan.Zero, null);

    public static MessageFate Now => new(false, TimeSpan.Zero, null);
}
