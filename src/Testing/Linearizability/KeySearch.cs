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
/// the search never needed is one that never took effect. At each point the candidates with a known outcome are
/// tried before those without: most timed-out writes were never applied, and trying each of them first at every
/// step would explore every subset of them before the empty one.
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
    private readonly bool?[] builtByAppends; // per read, when first needed: whether a Delete can lead to its value
    private List<KvOperation>? appends;

    private KeySearch(IReadOnlyList<KvOperation> ops)
    {
        this.ops = ops;
        builtByAppends = new bool?[ops.Count];
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
        var depth = 0;
        var remaining = knownCount;
        var unknownLeft = unknownCount;
        string? state = null;
        var stateHash = StateCache.Hash(null);
        var entry = next[Head];
        var unknownPass = false;
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
                    if (unknownPass == (returnOf[entry] < 0) && TryStep(entry, state, out var after))
                    {
                        var afterHash = ReferenceEquals(after, state) ? stateHash : StateCache.Hash(after);
                        if (cache.TryAdd(linearized, op, after, afterHash))
                        {
                            stack[depth++] = (entry, state, stateHash);
                            linearized.Add(op);
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
                            entry = next[Head];
                            unknownPass = false;
                            continue;
                        }
                    }

                    entry = next[entry];
                }
                else if (!unknownPass && unknownLeft > 0)
                {
                    // Known operations tried, now the unknown ones up to the same return.
                    unknownPass = true;
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
                    unknownPass = returnOf[entry] < 0;
                    if (unknownPass)
                    {
                        unknownLeft++;
                    }
                    else
                    {
                        remaining++;
                    }

                    Unlift(entry);
                    entry = next[entry];
                }
            }
        }
        finally
        {
            budget.StepsUsed = steps;
        }
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
                return true;
            }
            else if (op.Kind == KvOperationKind.Get)
            {
                return after is null || (op.Output?.StartsWith(after, StringComparison.Ordinal) ?? false) || CanReset(call, e);
            }
        }

        return true;
    }

    /// <summary>
    /// Whether a Put or Delete other than <paramref name="call"/> that can still come before the read whose return is
    /// at <paramref name="readReturn"/> could start a value that read returned.
    /// </summary>
    private bool CanReset(int call, int readReturn)
    {
        var read = ops[opOf[readReturn]];
        for (var e = next[Head]; e != readReturn; e = next[e])
        {
            if (e == call || !IsCall(e))
            {
                continue;
            }

            var op = ops[opOf[e]];
            if ((op.Kind == KvOperationKind.Put && read.Output is not null && read.Output.StartsWith(op.Input!, StringComparison.Ordinal))
                || (op.Kind == KvOperationKind.Delete && BuiltByAppends(opOf[readReturn])))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the read <paramref name="op"/> could return what appends make of an absent key.</summary>
    private bool BuiltByAppends(int op)
    {
        if (builtByAppends[op] is not { } built)
        {
            appends ??= [.. ops.Where(o => o.Kind == KvOperationKind.Append)];
            built = ops[op].Output is not { } value || WriteSources.CanProduce(value, appends);
            builtByAppends[op] = built;
        }

        return built;
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
