namespace OrleansRaft.Testing.Cluster;

/// <summary>One direction of one link: its own fault randomness and the order of what was sent over it.</summary>
internal sealed class LinkState(Random random)
{
    private long sequence;

    public Random Random { get; } = random;

    public long NextSequence() => ++sequence;
}
