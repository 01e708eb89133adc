namespace OrleansRaft.Testing.Linearizability;

/// <summary>What the search sees ahead of the current state: which step leads nowhere, and which to try first.</summary>
internal sealed partial class KeySearch
{
    private readonly ReadPlan?[] plans; // per read, when first needed
    private readonly List<int>?[] watchers; // per write, when first needed: the reads whose value could show it
    private List<KvOperation>? appends;
    private bool[] reached = new bool[64];

    /// <summary>The read whose return comes first in the list, or -1: it must be linearized before any later call.</summary>
    private int FirstRead()
    {
        for (var e = next[Head]; e != tail; e = next[e])
        {
            if (!IsCall(e) && ops[opOf[e]].Kind == KvOperationKind.Get)
            {
                return opOf[e];
            }
        }

        return -1;
    }

    /// <summary>
    /// In which pass the call is tried: known outcomes before unknown ones (most timed-out writes never took effect,
    /// and trying each of them first at every step would explore every subset of them before the empty one), and
    /// within each, first the operations that agree with the value the next read returned (an append of what comes
    /// next in it, a Put of a prefix of it, a Delete when it could be built from nothing), then the rest. Any order
    /// finds the same answer; this one finds a linearization without wandering far off it.
    /// </summary>
    private int PassOf(int call, string? state, int read)
    {
        var op = ops[opOf[call]];
        var agrees = read < 0 || ReferenceEquals(state, StateCache.Irrelevant) || op.Kind switch
        {
            KvOperationKind.Get => true,
            KvOperationKind.Put => ops[read].Output is { } v && v.StartsWith(op.Input!, StringComparison.Ordinal),
            KvOperationKind.Append => ops[read].Output is { } v
                && (state is null || v.StartsWith(state, StringComparison.Ordinal))
                && v.AsSpan(state?.Length ?? 0).StartsWith(op.Input, StringComparison.Ordinal),
            _ => Plan(read).Deletes.Count > 0,
        };
        return (returnOf[call] < 0 ? 2 : 0) + (agrees ? 0 : 1);
    }

    /// <summary>
    /// Applies the operation at <paramref name="call"/> to <paramref name="state"/> (started by the write
    /// <paramref name="anchor"/>, or -1) as the model does, and then looks ahead in the event list (without the
    /// operation) for two things the model alone cannot see.
    /// </summary>
    /// <remarks>
    /// <para>A dead end. Every read left has to get its value from what is there now, extended by appends still to
    /// come, or from a Put or Delete still to come followed by appends (<see cref="CanReach"/>). A step that leaves
    /// some read no way to its value leads nowhere: checked for the reads that can come next, for every read whose
    /// value shows this write (an append used up too early is the usual case), and, when this write replaces the
    /// value, for every read whose value shows the write that started it. Without this the search would try every
    /// order of concurrent writes before giving up, each order a different value.</para>
    /// <para>An irrelevant value. When every read left must come after some Put or Delete left (it was called after
    /// that write returned), no read can see the value before it is replaced: it becomes
    /// <see cref="StateCache.Irrelevant"/>, and appends leave it so. States that differ only in such a value are then
    /// one state in the cache.</para>
    /// </remarks>
    private bool TryStep(int call, string? state, int anchor, out string? after)
    {
        var operation = ops[opOf[call]];
        if (ReferenceEquals(state, StateCache.Irrelevant) && operation.Kind is KvOperationKind.Get or KvOperationKind.Append)
        {
            // A read never gets here (it must wait for the write that makes the value irrelevant); an append does.
            after = state;
            return operation.Kind == KvOperationKind.Append;
        }

        if (!KvModel.Step(operation, state, out after))
        {
            return false;
        }

        var readCalled = false; // a read can come before the first Put or Delete to return
        for (var e = next[Head]; e != tail; e = next[e])
        {
            if (e == call || e == returnOf[call])
            {
                continue;
            }

            var op = ops[opOf[e]];
            if (IsCall(e))
            {
                readCalled |= op.Kind == KvOperationKind.Get;
            }
            else if (op.Kind is KvOperationKind.Put or KvOperationKind.Delete && !readCalled)
            {
                after = StateCache.Irrelevant;
                break;
            }
            else if (op.Kind == KvOperationKind.Get)
            {
                break;
            }
        }

        // Every read called before the first read to return must still be able to get its value.
        for (var e = next[Head]; e != tail; e = next[e])
        {
            if (e == call || e == returnOf[call] || ops[opOf[e]].Kind != KvOperationKind.Get)
            {
                continue;
            }

            if (!IsCall(e))
            {
                break;
            }

            if (!CanReach(call, opOf[e], after))
            {
                return false;
            }
        }

        // So must every later read whose value could show this write (it may be used up too early) and, when this
        // replaces the value, every read whose value could show the write that started it.
        foreach (var read in Watchers(opOf[call]))
        {
            if (!done[read] && !CanReach(call, read, after))
            {
                return false;
            }
        }

        if (operation.Kind is KvOperationKind.Put or KvOperationKind.Delete && anchor >= 0)
        {
            foreach (var read in Watchers(anchor))
            {
                if (!done[read] && !CanReach(call, read, after))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The reads whose value contains what <paramref name="op"/> appends, or starts with what it puts.</summary>
    private List<int> Watchers(int op)
    {
        if (watchers[op] is { } known)
        {
            return known;
        }

        var write = ops[op];
        var list = new List<int>();
        for (var r = 0; r < ops.Count; r++)
        {
            if (ops[r] is { Kind: KvOperationKind.Get, Output: { } value, Return: not null }
                && ((write.Kind == KvOperationKind.Append && write.Input!.Length > 0 && value.Contains(write.Input, StringComparison.Ordinal))
                    || (write.Kind == KvOperationKind.Put && value.StartsWith(write.Input!, StringComparison.Ordinal))))
            {
                list.Add(r);
            }
        }

        return watchers[op] = list;
    }

    /// <summary>
    /// Whether <paramref name="read"/> can still get its value from <paramref name="state"/>, using only operations
    /// that can still come before it (called by the time it returned, not yet linearized, other than
    /// <paramref name="call"/>): the value so far extended by appends, or a Put of a prefix of it, or a Delete,
    /// followed by appends. An append may be counted more than once, which keeps the answer a "maybe".
    /// </summary>
    private bool CanReach(int call, int read, string? state)
    {
        var plan = Plan(read);
        var value = plan.Value;
        var irrelevant = ReferenceEquals(state, StateCache.Irrelevant); // the value must come from a Put or Delete
        if (!irrelevant && string.Equals(value, state, StringComparison.Ordinal))
        {
            return true;
        }

        var by = ops[read].Return!.Value;
        var lifting = opOf[call];
        bool Left(int op) => op != lifting && !done[op] && ops[op].Call <= by;

        var delete = plan.Deletes.Exists(Left);
        if (value is null)
        {
            return delete;
        }

        var fromAbsent = (state is null && !irrelevant) || delete;
        if (value.Length == 0)
        {
            return plan.Puts.Exists(Left) || (fromAbsent && plan.EmptyAppends.Exists(Left));
        }

        if (reached.Length <= value.Length)
        {
            reached = new bool[Math.Max(value.Length + 1, reached.Length * 2)];
        }

        Array.Clear(reached, 0, value.Length + 1);
        reached[0] = fromAbsent;
        if (!irrelevant && state is not null && value.StartsWith(state, StringComparison.Ordinal))
        {
            reached[state.Length] = true;
        }

        foreach (var put in plan.Puts)
        {
            if (Left(put))
            {
                reached[ops[put].Input!.Length] = true;
            }
        }

        foreach (var (at, append, length) in plan.Pieces)
        {
            if (reached[at] && Left(append))
            {
                reached[at + length] = true;
            }
        }

        return reached[value.Length];
    }

    private ReadPlan Plan(int read)
    {
        appends ??= [.. ops.Where(o => o.Kind == KvOperationKind.Append)];
        return plans[read] ??= ReadPlan.For(ops[read], ops, appends);
    }
}
