namespace OrleansRaft.Testing.Linearizability;

/// <summary>
/// Thread-safe recorder used by test clients (in-process and over REST). One shared monotonically increasing
/// counter gives Call/Return positions, so real-time order observed by the recorder is preserved: call
/// <see cref="Begin"/> just before sending a request and <see cref="Complete"/> as soon as its reply arrives.
/// </summary>
public sealed class KvHistory
{
    private readonly object gate = new();
    private readonly List<PendingOperation> operations = [];
    private long clock;
    private int failed;

    /// <summary>Operations recorded, as <see cref="Operations"/> would list them.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return operations.Count - failed;
            }
        }
    }

    /// <summary>A snapshot in call order. Operations still pending count as unknown (Return = null).</summary>
    public IReadOnlyList<KvOperation> Operations
    {
        get
        {
            lock (gate)
            {
                return [.. operations.Where(o => o.State != PendingState.Failed).Select(o => o.ToOperation()).OrderBy(o => o.Call)];
            }
        }
    }

    public PendingOperation Begin(int clientId, KvOperationKind kind, string key, string? input = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (kind is KvOperationKind.Put or KvOperationKind.Append)
        {
            ArgumentNullException.ThrowIfNull(input);
        }

        // The position is taken before the lock: a call stamped early only widens the interval, which is safe.
        var operation = new PendingOperation(this, clientId, kind, key, input, Interlocked.Increment(ref clock));
        lock (gate)
        {
            operations.Add(operation);
        }

        return operation;
    }

    /// <summary>The reply arrived. <paramref name="output"/>: for a Get, the value, or null when not found.</summary>
    public void Complete(PendingOperation operation, string? output = null)
    {
        // Likewise a return stamped before the lock, as soon as possible.
        var at = Interlocked.Increment(ref clock);
        Resolve(operation, PendingState.Completed, output, at);
    }

    /// <summary>No outcome is known (timeout, lost reply): stays in the history with Return = null.</summary>
    public void Unknown(PendingOperation operation) => Resolve(operation, PendingState.Unknown, null, null);

    /// <summary>Definitely not applied (refused before taking effect): dropped from the history.</summary>
    public void Failed(PendingOperation operation) => Resolve(operation, PendingState.Failed, null, null);

    private void Resolve(PendingOperation operation, PendingState state, string? output, long? at)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (!ReferenceEquals(operation.History, this))
        {
            throw new ArgumentException("the operation was begun on another history", nameof(operation));
        }

        lock (gate)
        {
            if (operation.State != PendingState.Pending)
            {
                throw new InvalidOperationException($"operation already resolved: {operation}");
            }

            operation.State = state;
            operation.Output = output;
            operation.Return = at;
            if (state == PendingState.Failed)
            {
                failed++;
            }
        }
    }
}
