namespace OrleansRaft.Testing.Cluster;

/// <summary>
/// How an unreliable <see cref="TestNetwork"/> misbehaves. The defaults are MIT 6.5840's labrpc: requests wait
/// 0-26 ms, 10 % of requests and 10 % of replies are lost; with <see cref="LongReordering"/> two replies in three
/// are held back 200-2200 ms, so they arrive long after newer ones.
/// </summary>
public sealed record UnreliableOptions
{
    public double RequestDropRate { get; init; } = 0.1;

    public double ReplyDropRate { get; init; } = 0.1;

    /// <summary>A message that is not dropped or held back waits a uniform [MinDelay, MaxDelay].</summary>
    public TimeSpan MinDelay { get; init; } = TimeSpan.Zero;

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(26);

    /// <summary>Copies of a message delivered twice (labrpc never duplicates; real networks and retries do).</summary>
    public double DuplicateRate { get; init; }

    public bool LongReordering { get; init; }

    public double ReorderRate { get; init; } = 600.0 / 900.0;

    public TimeSpan ReorderMinDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ReorderMaxDelay { get; init; } = TimeSpan.FromMilliseconds(2200);
}
