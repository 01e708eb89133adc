namespace OrleansRaft.Grains;

/// <summary>The outcome of one <see cref="IKvReplica"/> call.</summary>
public sealed record KvResponse(KvStatus Status)
{
    /// <summary>The log index at which a write took effect, or the index a read reflects.</summary>
    public long Index { get; init; }

    public byte[]? Value { get; init; }

    /// <summary>The value's length after an append.</summary>
    public long Length { get; init; }

    /// <summary>For a delete: whether the key existed.</summary>
    public bool Deleted { get; init; }

    /// <summary>For <see cref="KvStatus.NotLeader"/>: the leader this replica knows of, or 0.</summary>
    public long LeaderHint { get; init; }

    public string? Detail { get; init; }
}
