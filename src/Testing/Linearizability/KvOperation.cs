namespace OrleansRaft.Testing.Linearizability;

/// <summary>
/// One client operation. Call and Return are positions on the history's single clock; Return == null means the
/// outcome is unknown (timeout, lost reply): it may have taken effect at any time after Call, or never.
/// </summary>
public sealed record KvOperation
{
    public required int ClientId { get; init; }

    public required KvOperationKind Kind { get; init; }

    public required string Key { get; init; }

    /// <summary>Put: the value; Append: the suffix.</summary>
    public string? Input { get; init; }

    /// <summary>Get: the value read, null = key absent.</summary>
    public string? Output { get; init; }

    public required long Call { get; init; }

    public long? Return { get; init; }

    /// <summary>One line: <c>client 3 Get "k" -> "v" [12, 15]</c>; <c>?</c> for an unknown return.</summary>
    public override string ToString() => OperationFormat.Line(this);
}
