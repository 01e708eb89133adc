namespace OrleansRaft.Testing.Linearizability;

/// <summary>
/// Decides whether a key/value history is linearizable, in the manner of Porcupine (anishathalye/porcupine): the
/// history is split by key, since a history is linearizable exactly when each key's sub-history is (keys are
/// independent objects), and each key is decided by <see cref="KeyCheck"/>. When one is not, its history is shrunk
/// to a small counterexample.
/// </summary>
public static class LinearizabilityChecker
{
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Checks <paramref name="history"/> within <paramref name="timeout"/> (60 s by default;
    /// <see cref="Timeout.InfiniteTimeSpan"/> for none). Running out of time gives <see cref="CheckOutcome.Unknown"/>,
    /// never Ok.
    /// </summary>
    public static CheckResult Check(IReadOnlyList<KvOperation> history, TimeSpan? timeout = null) =>
        Check(history, timeout, long.MaxValue);

    /// <summary>As <see cref="Check(IReadOnlyList{KvOperation}, TimeSpan?)"/>, with a limit on each key's search
    /// steps as well: a limit that does not depend on the machine's speed, for tests.</summary>
    internal static CheckResult Check(IReadOnlyList<KvOperation> history, TimeSpan? timeout, long maxStepsPerKey)
    {
        ArgumentNullException.ThrowIfNull(history);
        var limit = timeout ?? DefaultTimeout;
        var deadline = SearchBudget.DeadlineAfter(limit);
        var keys = ByKey(history);

        var outcomes = new SearchOutcome[keys.Count];
        var failingReads = new KvOperation?[keys.Count];
        var firstIllegal = int.MaxValue;
        Parallel.For(0, keys.Count, i =>
        {
            // Keys are in ordinal order and only the first illegal one is reported, so later keys may stop.
            if (Volatile.Read(ref firstIllegal) < i)
            {
                outcomes[i] = SearchOutcome.Stopped;
                return;
            }

            outcomes[i] = KeyCheck.Run(keys[i].Ops, deadline, maxStepsPerKey, () => Volatile.Read(ref firstIllegal) < i, out failingReads[i]);
            if (outcomes[i] == SearchOutcome.Illegal)
            {
                for (var seen = Volatile.Read(ref firstIllegal); i < seen; seen = Volatile.Read(ref firstIllegal))
                {
                    if (Interlocked.CompareExchange(ref firstIllegal, i, seen) == seen)
                    {
                        break;
                    }
                }
            }
        });

        if (firstIllegal != int.MaxValue)
        {
            var (key, ops, recorded) = keys[firstIllegal];
            return new CheckResult
            {
                Outcome = CheckOutcome.Illegal,
                Key = key,
                Counterexample = CounterexampleMinimizer.Shrink(ops, failingReads[firstIllegal]),
                OperationCount = history.Count,
                KeyCount = keys.Count,
                KeyOperationCount = recorded,
                Timeout = limit,
            };
        }

        var undecided = Array.IndexOf(outcomes, SearchOutcome.Stopped);
        return new CheckResult
        {
            Outcome = undecided < 0 ? CheckOutcome.Ok : CheckOutcome.Unknown,
            Key = undecided < 0 ? null : keys[undecided].Key,
            OperationCount = history.Count,
            KeyCount = keys.Count,
            KeyOperationCount = undecided < 0 ? 0 : keys[undecided].Recorded,
            Timeout = limit,
        };
    }

    /// <summary>
    /// The operations of each key to search, keys in ordinal order: without unknown-outcome Gets and unobserved
    /// unknown-outcome writes; and how many operations on the key were recorded.
    /// </summary>
    private static List<(string Key, List<KvOperation> Ops, int Recorded)> ByKey(IReadOnlyList<KvOperation> history)
    {
        var byKey = new Dictionary<string, List<KvOperation>>(StringComparer.Ordinal);
        foreach (var op in history)
        {
            Validate(op);
            if (!byKey.TryGetValue(op.Key, out var ops))
            {
                byKey[op.Key] = ops = [];
            }

            ops.Add(op);
        }

        return
        [
            .. byKey.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (
                p.Key,
                // A read whose answer was lost says nothing, and could be linearized anywhere after its call.
                UnobservedWrites.Drop(p.Value.FindAll(o => o.Kind != KvOperationKind.Get || o.Return is not null)),
                p.Value.Count)),
        ];
    }

    private static void Validate(KvOperation op)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (op.Key is null)
        {
            throw new ArgumentException($"operation without a key: {op}", nameof(op));
        }

        if (op.Return < op.Call)
        {
            throw new ArgumentException($"operation returns before its call: {op}", nameof(op));
        }

        if (op.Kind is KvOperationKind.Put or KvOperationKind.Append && op.Input is null)
        {
            throw new ArgumentException($"{op.Kind} without an input: {op}", nameof(op));
        }

        if (!Enum.IsDefined(op.Kind))
        {
            throw new ArgumentException($"unknown operation kind {(int)op.Kind}: {op}", nameof(op));
        }
    }
}
