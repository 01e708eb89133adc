using System.Diagnostics;

namespace OrleansRaft.Testing.Linearizability;

/// <summary>
/// Wing &amp; Gong's search with Lowe's just-in-time linearization and memoization, as Porcupine's checker.go does
/// it, for the operations on one key. Call and return events sit in one doubly-linked list in time order. Scanning
/// from the front, a call whose operation the model accepts in the current state is linearized: the operation's
/// call and return are lifted out of the list and the scan restarts from the front. Reaching a return means that
/// operation can no longer be linearized in time: undo the last choice and try the next call after it. A cache of
/// (set of linearized operations, state) pairs already reached prunes repeated work, and <see cref="TryStep"/> looks
/// ahead for steps that lead nowhere.
/// </summary>
/// <remarks>
/// An operation with an unknown outcome has no return event: its return is at +infinity, so it never forces a
/// backtrack and the search succeeds once every operation with a known return is linearized. An unknown write
/// the search never needed is one that never took effect. The order candidates are tried in is chosen by
/// <see cref="PassOf"/>.
/// </remarks>
internal sealed class KeySearch
{
    private const int Head = 0;

    private readonly IReadOnlyList<KvOperation> ops;
    private readonly int knownCount;
    private readonly int unknownCount;

    // Entries 1..m are events, 0 is the head sentinel and m + 1 the tail sentinel.
    private readonly int[] next;
    private readonly int[] prev;
    private readonly int[] opOf;
    private readonly int[] returnOf; // for a call: its return entry, or -1 when the outcome is unknown; 0 for a return
    private readonly int tail;
    private readonly ReadPlan?[] plans; // per read, when first needed
    private List<KvOperation>? appends;
    private bool[] reached = new bool[64];
    private readonly bool[] done; // linearized on the current path
    private readonly List<int>?[] watchers; // per write, when first needed: the reads whose value could show it

    private KeySearch(IReadOnlyList<KvOperation> ops)
    {
        this.ops = ops;
        plans = new ReadPlan?[ops.Count];
        var events = new List<(long Time, int IsReturn, int Op)>(ops.Count * 2);
        for (var i = 0; i < ops.Count; i++)
        {
            events.Add((ops[i].Call, 0, i));
            if (ops[i].Return is { } r)
            {
                events.Add((r, 1, i));
                knownCount++;
            }
            else
            {
                unknownCount++;
            }
        }

        // Calls before returns at the same time: operations that touch at an instant are concurrent.
        events.Sort();
        var m = events.Count;
        tail = m + 1;
        next = new int[m + 2];
        prev = new int[m + 2];
        opOf = new int[m + 2];
        returnOf = new int[m + 2];
        var callEntry = new int[ops.Count];
        done = new bool[ops.Count];
        watchers = new List<int>?[ops.Count];
        for (var e = 1; e <= m; e++)
        {
            var (_, isReturn, op) = events[e - 1];
            opOf[e] = op;
            if (isReturn == 0)
            {
                callEntry[op] = e;
                returnOf[e] = -1;
            }
            else
            {
                returnOf[callEntry[op]] = e;
            }
        }

        for (var e = 0; e <= m; e++)
        {
            next[e] = e + 1;
            prev[e + 1] = e;
        }

        next[tail] = tail;
    }

    public static SearchOutcome Run(IReadOnlyList<KvOperation> ops, SearchBudget budget) => new KeySearch(ops).Run(budget);

    private bool IsCall(int entry) => entry != tail && returnOf[entry] != 0;

    private SearchOutcome Run(SearchBudget budget)
    {
        var linearized = new LinearizedSet(ops);
        var cache = new StateCache();
        var stack = new (int Entry, string? State, int StateHash)[ops.Count];
        var guides = new int[ops.Count + 1]; // per depth: the read that guides the order candidates are tried in
        var depth = 0;
        var remaining = knownCount;
        var unknownLeft = unknownCount;
        string? state = null;
        var stateHash = StateCache.Hash(null);
        var entry = next[Head];
        var pass = 0;
        guides[0] = FirstRead();
        long steps = 0;
        try
        {
            while (true)
            {
                if (remaining == 0)
                {
                    return SearchOutcome.Linearizable;
                }

                if (steps >= budget.MaxSteps || ((steps & 1023) == 0 && budget.Expired()))
                {
                    return SearchOutcome.Stopped;
                }

                steps++;
                if (IsCall(entry))
                {
                    var op = opOf[entry];
                    if (PassOf(entry, state, guides[depth]) == pass && TryStep(entry, state, out var after))
                    {
                        var afterHash = ReferenceEquals(after, state) ? stateHash : StateCache.Hash(after);
                        if (cache.TryAdd(linearized, op, after, afterHash))
                        {
                            stack[depth++] = (entry, state, stateHash);
                            linearized.Add(op);
                            done[op] = true;
                            state = after;
                            stateHash = afterHash;
                            if (returnOf[entry] > 0)
                            {
                                remaining--;
                            }
                            else
                            {
                                unknownLeft--;
                            }

                            Lift(entry);
                            guides[depth] = FirstRead();
                            entry = next[Head];
                            pass = 0;
                            continue;
                        }
                    }

                    entry = next[entry];
                }
                else if (pass == 0 || (pass < 3 && unknownLeft > 0))
                {
                    // The candidates of this pass are tried: on to the next pass, up to the same return.
                    pass++;
                    entry = next[Head];
                }
                else
                {
                    // A return (or, never in a consistent list, the tail): the choices so far cannot be completed.
                    Debug.Assert(entry != tail || remaining == 0, "the tail is reached only after every known return");
                    if (depth == 0)
                    {
                        return SearchOutcome.Illegal;
                    }

                    (entry, state, stateHash) = stack[--depth];
                    var op = opOf[entry];
                    linearized.Remove(op);
                    done[op] = false;
                    if (returnOf[entry] < 0)
                    {
                        unknownLeft++;
                    }
                    else
                    {
                        remaining++;
                    }

                    Unlift(entry);
                    pass = PassOf(entry, state, guides[depth]);
                    entry = next[entry];
                }
            }
        }
        finally
        {
            budget.StepsUsed = steps;
        }
    }

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
    /// Applies the operation at <paramref name="call"/> to <paramref name="state"/> as the model does, and then looks
    /// ahead in the event list (without the operation) for two things the model alone cannot see.
    /// </summary>
    /// <remarks>
    /// <para>A doomed value. Appends only extend a value, so until a Put or Delete the value stays a prefix of every
    /// later one. The read that must return first then has to return a value that starts with this one, unless a
    /// Put or Delete that can still come before it could start that read's value; otherwise the step leads nowhere.
    /// Without this the search would try every order of concurrent appends before giving up, each order a
    /// different value.</para>
    /// <para>An irrelevant value. When every read left must come after some Put or Delete left (it was called after
    /// that write returned), no read can see the value before it is replaced: it becomes <see cref="StateCache.Irrelevant"/>,
    /// and appends leave it so. States that differ only in such a value are then one state in the cache.</para>
    /// </remarks>
    private bool TryStep(int call, string? state, out string? after)
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

        // So must every later read whose value could show this write: it may have been used up too early.
        foreach (var read in Watchers(opOf[call]))
        {
            if (!done[read] && !CanReach(call, read, after))
            {
                return false;
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

    private void Lift(int call)
    {
        Unlink(call);
        if (returnOf[call] > 0)
        {
            Unlink(returnOf[call]);
        }
    }

    private void Unlift(int call)
    {
        if (returnOf[call] > 0)
        {
            Relink(returnOf[call]);
        }

        Relink(call);
    }

    private void Unlink(int e)
    {
        next[prev[e]] = next[e];
        prev[next[e]] = prev[e];
    }

    // Undone in the reverse order of Unlink, so e's own links still name its old neighbours.
    private void Relink(int e)
    {
        next[prev[e]] = e;
        prev[next[e]] = e;
    }
}
