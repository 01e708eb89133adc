namespace OrleansRaft.Linearizability.Tests.Harness;

/// <summary>
/// Histories of a real sequential store under concurrent clients, so linearizable by construction: each client has
/// at most one operation in flight, which takes effect at a random moment between its call and its return. A write
/// given an unknown outcome takes effect before or after its client gave up, or never. Put values ("p17") and
/// append suffixes ("+a17") are unique, so a value read names the write that made it.
/// </summary>
internal static class RandomHistory
{
    public static List<KvOperation> Generate(Random random, HistoryShape shape)
    {
        var store = new Dictionary<string, string?>(StringComparer.Ordinal);
        var inFlight = new InFlightOperation?[shape.Clients];
        var orphans = new List<InFlightOperation>(); // unknown writes whose client gave up, still to take effect
        var history = new List<KvOperation>(shape.Operations);
        long clock = 0;
        var begun = 0;
        var busy = 0;
        while (begun < shape.Operations || busy > 0)
        {
            if (orphans.Count > 0 && random.Next(8) == 0)
            {
                var late = orphans[random.Next(orphans.Count)];
                orphans.Remove(late);
                Apply(store, late);
            }

            var client = random.Next(shape.Clients);
            var f = inFlight[client];
            if (f is null)
            {
                if (begun < shape.Operations)
                {
                    inFlight[client] = Begin(random, shape, client, begun++, clock++);
                    busy++;
                }
            }
            else if (!f.Applied && f.Unknown && random.Next(3) == 0)
            {
                // The client times out first; the write may still arrive later.
                history.Add(f.ToOperation(null));
                if (f.WillApply)
                {
                    orphans.Add(f);
                }

                inFlight[client] = null;
                busy--;
            }
            else if (!f.Applied)
            {
                if (f.WillApply)
                {
                    Apply(store, f);
                }

                f.Applied = true;
            }
            else
            {
                history.Add(f.ToOperation(f.Unknown ? null : clock++));
                inFlight[client] = null;
                busy--;
            }
        }

        return history;
    }

    /// <summary>Sets a random completed Get's output to a value no write ever made: illegal in any order.</summary>
    public static (List<KvOperation> History, KvOperation Mutated) WithNeverWrittenRead(Random random, List<KvOperation> history)
    {
        var gets = history.Where(o => o.Kind == KvOperationKind.Get && o.Return is not null).ToList();
        var target = gets[random.Next(gets.Count)];
        var mutated = target with { Output = "never-written" };
        return ([.. history.Select(o => ReferenceEquals(o, target) ? mutated : o)], mutated);
    }

    /// <summary>
    /// Makes a completed Get read the value of a Put that a later write, completed before the Get was called,
    /// definitely overwrote: a stale read in every order. Null when the history has no such triple.
    /// </summary>
    public static (List<KvOperation> History, KvOperation Mutated)? WithStaleRead(Random random, List<KvOperation> history)
    {
        var candidates = new List<(KvOperation Get, string Value)>();
        foreach (var byKey in history.GroupBy(o => o.Key))
        {
            var ops = byKey.ToList();
            var puts = ops.Where(o => o.Kind == KvOperationKind.Put && o.Return is not null).ToList();
            var overwrites = ops.Where(o => o.Return is not null && o.Kind != KvOperationKind.Get).ToList();
            foreach (var get in ops.Where(o => o.Kind == KvOperationKind.Get && o.Return is not null))
            {
                foreach (var put in puts)
                {
                    if (put.Input != get.Output
                        && overwrites.Any(w => w.Input != put.Input && put.Return < w.Call && w.Return < get.Call))
                    {
                        candidates.Add((get, put.Input!));
                    }
                }
            }
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        var (target, stale) = candidates[random.Next(candidates.Count)];
        var mutated = target with { Output = stale };
        return ([.. history.Select(o => ReferenceEquals(o, target) ? mutated : o)], mutated);
    }

    private static InFlightOperation Begin(Random random, HistoryShape shape, int client, int id, long call)
    {
        var roll = random.Next(100);
        var kind = roll < shape.GetPercent ? KvOperationKind.Get
            : roll < shape.GetPercent + shape.PutPercent ? KvOperationKind.Put
            : roll < shape.GetPercent + shape.PutPercent + shape.AppendPercent ? KvOperationKind.Append
            : KvOperationKind.Delete;
        var unknown = kind != KvOperationKind.Get && random.NextDouble() < shape.UnknownWrites;
        return new InFlightOperation
        {
            Client = client,
            Kind = kind,
            Key = $"k{random.Next(shape.Keys)}",
            Input = kind switch
            {
                KvOperationKind.Put => $"p{id}",
                KvOperationKind.Append => $"+a{id}",
                _ => null,
            },
            Call = call,
            Unknown = unknown,
            WillApply = !unknown || random.Next(2) == 0,
        };
    }

    private static void Apply(Dictionary<string, string?> store, InFlightOperation f)
    {
        store.TryGetValue(f.Key, out var value);
        switch (f.Kind)
        {
            case KvOperationKind.Get:
                f.Output = value;
                break;
            case KvOperationKind.Put:
                store[f.Key] = f.Input;
                break;
            case KvOperationKind.Append:
                store[f.Key] = value + f.Input;
                break;
            case KvOperationKind.Delete:
                store.Remove(f.Key);
                break;
        }
    }
}
