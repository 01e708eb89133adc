namespace OrleansRaft.Testing.Cluster;

/// <summary>One direction of one link: its own fault randomness and the order of what was sent over it.</summary>
internal sealed class LinkState(Random random)
{
    private long sequence;
    private long traced;

    public Random Random { get; } = random;

    public long NextSequence() => ++sequence;

    /// <summary>Numbers every message sent on the link, lost ones too, for the network's trace.</summary>
    public long NextTraced() => ++traced;
}
