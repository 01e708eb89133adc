namespace OrleansRaft.Bench.Measurement;

/// <summary>
/// How one operation of a load worker ended: <paramref name="Kind"/> names the operation ("put", "get");
/// <paramref name="Error"/> is null on success, else the outcome to count it under ("Timeout", "NotLeader").
/// </summary>
public readonly record struct OperationResult(string Kind, string? Error = null)
{
    public bool Succeeded => Error is null;

    public static OperationResult Success(string kind) => new(kind);

    public static OperationResult Failure(string kind, string error) => new(kind, error);
}
