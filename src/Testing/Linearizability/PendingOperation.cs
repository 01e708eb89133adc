namespace OrleansRaft.Testing.Linearizability;

/// <summary>An operation begun on a <see cref="KvHistory"/>: hand it back to exactly one of Complete, Unknown or Failed.</summary>
public sealed class PendingOperation
{
    internal PendingOperation(KvHistory history, int clientId, KvOperationKind kind, string key, string? input, long call)
    {
        History = history;
        ClientId = clientId;
        Kind = kind;
        Key = key;
        Input = input;
        Call = call;
    }

    internal KvHistory History { get; }

    internal int ClientId { get; }

    internal KvOperationKind Kind { get; }

    internal string Key { get; }

    internal string? Input { get; }

    internal long Call { get; }

    internal PendingState State { get; set; }

    internal string? Output { get; set; }

    internal long? Return { get; set; }

    internal KvOperation ToOperation() => new()
    {
        ClientId = ClientId,
        Kind = Kind,
        Key = Key,
        Input = Input,
        Output = State == PendingState.Completed ? Output : null,
        Call = Call,
        Return = State == PendingState.Completed ? Return : null,
    };

    public override string ToString() => $"{ToOperation()} ({State})";
}
