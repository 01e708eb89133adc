namespace OrleansRaft.Testing.Linearizability;

/// <summary>
/// Decides one key's history. A read that no write could have started (<see cref="ReadBases"/>) settles it at
/// once. Otherwise the whole search decides most histories quickly. When it does not, which with many clients on
/// one key usually means it is ruling out every order to prove a failure, each read is tried alone with the writes
/// that can matter to it: a read that fails on its own fails the whole history too, and is found in a fraction of
/// the steps. Then the whole search goes on.
/// </summary>
internal static class KeyCheck
{
    // In steps, not time, so that a step limit gives the same verdict on any machine.
    internal const long FirstSteps = 5_000_000;
    internal const long StepsPerRead = 2_000_000;
    internal const long StepsForReads = 20_000_000;

    /// <summary>Decides the key; <paramref name="failingRead"/> is a read found to fail on its own, if any.</summary>
    public static SearchOutcome Run(
        List<KvOperation> ops, long deadline, long maxSteps, Func<bool>? abandon, out KvOperation? failingRead, long firstSteps = FirstSteps)
    {
        failingRead = ReadBases.Unexplained(ops);
        if (failingRead is not null)
        {
            return SearchOutcome.Illegal;
        }

        long spent = 0;
        SearchBudget? last = null;
        SearchOutcome Search(List<KvOperation> history, long steps)
        {
            last = new SearchBudget(deadline, Math.Min(steps, maxSteps - spent), abandon);
            var outcome = KeySearch.Run(history, last);
            spent += last.StepsUsed;
            return outcome;
        }

        bool OutOfBudget() => spent >= maxSteps || last!.Expired();

        var whole = Search(ops, firstSteps);
        if (whole != SearchOutcome.Stopped || OutOfBudget())
        {
            return whole;
        }

        var writes = ops.FindAll(o => o.Kind != KvOperationKind.Get);
        var readSteps = 0L;
        foreach (var get in ops.Where(o => o.Kind == KvOperationKind.Get).OrderBy(o => o.Call))
        {
            var before = spent;
            if (Search(Alone(writes, get), Math.Min(StepsPerRead, StepsForReads - readSteps)) == SearchOutcome.Illegal)
            {
                failingRead = get;
                return SearchOutcome.Illegal;
            }

            readSteps += spent - before;
            if (readSteps >= StepsForReads || OutOfBudget())
            {
                break;
            }
        }

        return OutOfBudget() ? SearchOutcome.Stopped : Search(ops, long.MaxValue);
    }

    /// <summary>
    /// The read with the writes that can matter to it: writes called after it returned come after it in any order.
    /// </summary>
    public static List<KvOperation> Alone(List<KvOperation> writes, KvOperation read)
    {
        var alone = writes.FindAll(w => w.Call <= read.Return);
        alone.Add(read);
        return alone;
    }
}
