namespace OrleansRaft.Testing.Linearizability;

/// <summary>The sequential specification of one key: its value, or null when absent.</summary>
internal static class KvModel
{
    /// <summary>Applies <paramref name="op"/> to <paramref name="state"/>; false when a Get's output contradicts it.</summary>
    public static bool Step(KvOperation op, string? state, out string? next)
    {
        switch (op.Kind)
        {
            case KvOperationKind.Get:
                next = state;
                return string.Equals(op.Output, state, StringComparison.Ordinal);
            case KvOperationKind.Put:
                next = op.Input;
                return true;
            case KvOperationKind.Append:
                next = string.Concat(state, op.Input);
                return true;
            case KvOperationKind.Delete:
                next = null;
                return true;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op.Kind, "unknown operation kind");
        }
    }
}
