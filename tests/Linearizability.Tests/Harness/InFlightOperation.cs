namespace OrleansRaft.Linearizability.Tests.Harness;

/// <summary>A generated operation while its client waits for it.</summary>
internal sealed class InFlightOperation
{
    public required int Client { get; init; }

    public required KvOperationKind Kind { get; init; }

    public required string Key { get; init; }

    public string? Input { get; init; }

    public required long Call { get; init; }

    public required bool Unknown { get; init; }

    public required bool WillApply { get; init; }

    public bool Applied { get; set; }

    public string? Output { get; set; }

    public KvOperation ToOperation(long? ret) => new()
    {
        ClientId = Client,
        Kind = Kind,
        Key = Key,
        Input = Input,
        Output = Output,
        Call = Call,
        Return = ret,
    };
}
