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
internal sealed partial class KeySearch
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
    private readonly bool[] done; // linearized on the current path

    private KeySearch(IReadOnlyList<KvOperation> ops, bool carryOver)
    {
        this.ops = ops;
        this.carryOver = carryOver;
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
        reaches = new ReadReach?[ops.Count];
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

    /// <param name="carryOver">False to work out each read's <see cref="ReadReach"/> afresh at every step, as a
    /// reference for tests: the search must take the very same steps either way.</param>
    public static SearchOutcome Run(IReadOnlyList<KvOperation> ops, SearchBudget budget, bool carryOver = true) =>
        new KeySearch(ops, carryOver).Run(budget);

    private bool IsCall(int entry) => entry != tail && returnOf[entry] != 0;

    private SearchOutcome Run(SearchBudget budget)
    {
        var linearized = new LinearizedSet(ops);
        var cache = new StateCache();
        var stack = new (int Entry, string? State, int StateHash, int Anchor)[ops.Count];
        var guides = new int[ops.Count + 1]; // per depth: the read that guides the order candidates are tried in
        var depth = 0;
        var remaining = knownCount;
        var unknownLeft = unknownCount;
        string? state = null;
        var stateHash = StateCache.Hash(null);
        var anchor = -1; // the write that started the current value: a Put, or an append to an absent key
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
                    if (PassOf(entry, state, guides[depth]) == pass && TryStep(entry, state, anchor, out var after))
                    {
                        var afterHash = ReferenceEquals(after, state) ? stateHash : StateCache.Hash(after);
                        if (cache.TryAdd(linearized, op, after, afterHash))
                        {
                            stack[depth++] = (entry, state, stateHash, anchor);
                            anchor = ops[op].Kind switch
                            {
                                KvOperationKind.Put => op,
                                KvOperationKind.Delete => -1,
                                KvOperationKind.Append when state is null => op,
                                _ => anchor,
                            };
                            linearized.Add(op);
                            done[op] = true;
                            Toggled(op);
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

                    (entry, state, stateHash, anchor) = stack[--depth];
                    var op = opOf[entry];
                    linearized.Remove(op);
                    done[op] = false;
                    Toggled(op);
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
