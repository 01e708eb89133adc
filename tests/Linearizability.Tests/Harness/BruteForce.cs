namespace OrleansRaft.Linearizability.Tests.Harness;

/// <summary>
/// Linearizability by definition, for a handful of operations on one key: try every order that respects real
/// time, with each unknown-outcome operation either somewhere after its call or nowhere.
/// </summary>
internal static class BruteForce
{
    public static bool IsLinearizable(IReadOnlyList<KvOperation> history)
    {
        var ops = history.Where(o => o.Kind != KvOperationKind.Get || o.Return is not null).ToList();
        if (ops.Count > 12)
        {
            throw new ArgumentException("too many operations to try every order", nameof(history));
        }

        return Search(ops, new bool[ops.Count], null);
    }

    private static bool Search(List<KvOperation> ops, bool[] done, string? state)
    {
        var allKnownDone = true;
        for (var i = 0; i < ops.Count; i++)
        {
            allKnownDone &= done[i] || ops[i].Return is null;
        }

        if (allKnownDone)
        {
            return true;
        }

        for (var i = 0; i < ops.Count; i++)
        {
            if (done[i] || !Ready(ops, done, i))
            {
                continue;
            }

            var op = ops[i];
            string? next;
            switch (op.Kind)
            {
                case KvOperationKind.Get when op.Output != state:
                    continue;
                case KvOperationKind.Get:
                    next = state;
                    break;
                case KvOperationKind.Put:
                    next = op.Input;
                    break;
                case KvOperationKind.Append:
                    next = state + op.Input;
                    break;
                default:
                    next = null;
                    break;
            }

            done[i] = true;
            var found = Search(ops, done, next);
            done[i] = false;
            if (found)
            {
                return true;
            }
        }

        return false;
    }

    // Every operation that returned before this one was called must already be done.
    private static bool Ready(List<KvOperation> ops, bool[] done, int i)
    {
        for (var j = 0; j < ops.Count; j++)
        {
            if (!done[j] && j != i && ops[j].Return < ops[i].Call)
            {
                return false;
            }
        }

        return true;
    }
}
