namespace OrleansRaft.Testing.Linearizability;

/// <summary>What the search sees ahead of the current state: which step leads nowhere, and which to try first.</summary>
internal sealed partial class KeySearch
{
    private readonly ReadPlan?[] plans; // per read, when first needed
    private readonly List<int>?[] watchers; // per write, when first needed: the reads whose value could show it
    private readonly ReadReach?[] reaches; // per read, when first needed
    private readonly bool carryOver;
    private readonly List<int> appendLog = []; // appends linearized or undone, in order, from appendLogStart on
    private long appendLogStart;
    private AppendPieces? appendPieces;

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

            if (!CanReach(call, opOf[e], after, state))
            {
                return false;
            }
        }

        // So must every later read whose value could show this write (it may be used up too early) and, when this
        // replaces the value, every read whose value could show the write that started it.
        foreach (var read in Watchers(opOf[call]))
        {
            if (!done[read] && !CanReach(call, read, after, state))
            {
                return false;
            }
        }

        if (operation.Kind is KvOperationKind.Put or KvOperationKind.Delete && anchor >= 0)
        {
            foreach (var read in Watchers(anchor))
            {
                if (!done[read] && !CanReach(call, read, after, state))
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

        // Found for every write at once from the reads' plans, which the search needs anyway.
        for (var w = 0; w < ops.Count; w++)
        {
            watchers[w] = [];
        }

        for (var r = 0; r < ops.Count; r++)
        {
            if (ops[r] is not { Kind: KvOperationKind.Get, Output: not null, Return: not null })
            {
                continue;
            }

            var plan = Plan(r);
            foreach (var (_, append, _) in plan.Pieces)
            {
                if (watchers[append] is not [.., var last] || last != r)
                {
                    watchers[append]!.Add(r);
                }
            }

            foreach (var put in plan.Puts)
            {
                watchers[put]!.Add(r);
            }
        }

        return watchers[op]!;
    }

    /// <summary>
    /// Whether <paramref name="read"/> can still get its value from <paramref name="state"/> (reached from
    /// <paramref name="before"/> by the operation at <paramref name="call"/>), using only operations that can still
    /// come before it (called by the time it returned, not yet linearized, other than that one): the value so far
    /// extended by appends, or a Put of a prefix of it, or a Delete, followed by appends. An append may be counted
    /// more than once, which keeps the answer a "maybe".
    /// </summary>
    private bool CanReach(int call, int read, string? state, string? before)
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
        var delete = AnyLeft(plan.Deletes, lifting, by);
        if (value is null)
        {
            return delete;
        }

        var fromAbsent = (state is null && !irrelevant) || delete;
        if (value.Length == 0)
        {
            return AnyLeft(plan.Puts, lifting, by) || (fromAbsent && AnyLeft(plan.EmptyAppends, lifting, by));
        }

        // Where the value can start: nothing, what is there now (if it starts the value), or a Put left; then the
        // rest must be made of appends left.
        var current = !irrelevant && state is not null && state.Length < value.Length ? state.Length : -1;
        var first = fromAbsent ? 0 : current >= 0 ? current : value.Length;
        foreach (var put in plan.Puts)
        {
            if (Left(put, lifting, by))
            {
                first = Math.Min(first, ops[put].Input!.Length);
            }
        }

        var reach = Finishes(read, plan, lifting, by, first);
        var finishes = reach.Finishes;
        if (fromAbsent && finishes[0])
        {
            return true;
        }

        foreach (var put in plan.Puts)
        {
            if (Left(put, lifting, by) && finishes[ops[put].Input!.Length])
            {
                return true;
            }
        }

        return current >= 0 && finishes[current] && StartsWith(reach, value, state!, before, ops[lifting], carryOver);
    }

    /// <summary>
    /// The read's <see cref="ReadReach"/>, with <see cref="ReadReach.Finishes"/> right for the appends left now from
    /// <paramref name="from"/> on. Only the places up to the last piece of an append that changed since it was last
    /// asked (linearized, undone, or lifted then or now) are worked out again, backwards from there.
    /// </summary>
    private ReadReach Finishes(int read, ReadPlan plan, int lifting, long by, int from)
    {
        var reach = reaches[read] ??= new ReadReach(plan);
        var finishes = reach.Finishes;
        var valid = reach.ValidFrom;
        if (!carryOver || reach.LogSeen < appendLogStart || appendLogStart + appendLog.Count - reach.LogSeen > plan.Pieces.Count)
        {
            valid = finishes.Length - 1; // too much changed to be worth sorting out: start over
        }
        else
        {
            for (var i = (int)(reach.LogSeen - appendLogStart); i < appendLog.Count; i++)
            {
                valid = Math.Max(valid, reach.LastAt(appendLog[i]) + 1);
            }

            if (reach.Lifting != lifting)
            {
                valid = Math.Max(valid, Math.Max(reach.LastAt(reach.Lifting), reach.LastAt(lifting)) + 1);
            }
        }

        if (from < valid)
        {
            Array.Clear(finishes, from, valid - from);
            var pieces = plan.Pieces;
            for (var i = plan.FirstPieceFrom(valid) - 1; i >= 0 && pieces[i].At >= from; i--)
            {
                var (at, append, length) = pieces[i];
                if (!finishes[at] && finishes[at + length] && Left(append, lifting, by))
                {
                    finishes[at] = true;
                }
            }

            valid = from;
        }

        reach.ValidFrom = valid;
        reach.LogSeen = appendLogStart + appendLog.Count;
        reach.Lifting = lifting;
        return reach;
    }

    /// <summary>
    /// Whether <paramref name="value"/> starts with <paramref name="state"/>: known when it was asked last, or when
    /// the state is the last one asked about with <paramref name="operation"/>'s suffix appended.
    /// </summary>
    private static bool StartsWith(ReadReach reach, string value, string state, string? before, KvOperation operation, bool carryOver)
    {
        if (carryOver && ReferenceEquals(reach.KnownState, state))
        {
            return reach.KnownIsPrefix;
        }

        var starts = carryOver && before is not null && ReferenceEquals(reach.KnownState, before) && operation.Kind == KvOperationKind.Append
            ? reach.KnownIsPrefix && value.AsSpan(before.Length).StartsWith(operation.Input, StringComparison.Ordinal)
            : value.StartsWith(state, StringComparison.Ordinal);
        reach.KnownState = state;
        reach.KnownIsPrefix = starts;
        return starts;
    }

    /// <summary>Notes that <paramref name="op"/> was linearized or undone, for <see cref="Finishes"/>.</summary>
    private void Toggled(int op)
    {
        if (ops[op].Kind != KvOperationKind.Append)
        {
            return;
        }

        if (appendLog.Count == 1 << 20)
        {
            // Kept short: a read that has missed this much starts over anyway.
            appendLogStart += appendLog.Count;
            appendLog.Clear();
        }

        appendLog.Add(op);
    }

    /// <summary>Whether <paramref name="op"/> can still come before a read that returned at <paramref name="by"/>.</summary>
    private bool Left(int op, int lifting, long by) => op != lifting && !done[op] && ops[op].Call <= by;

    private bool AnyLeft(List<int> candidates, int lifting, long by)
    {
        foreach (var op in candidates)
        {
            if (Left(op, lifting, by))
            {
                return true;
            }
        }

        return false;
    }

    private ReadPlan Plan(int read)
    {
        appendPieces ??= new AppendPieces(ops);
        return plans[read] ??= ReadPlan.For(ops[read], ops, appendPieces);
    }
}
