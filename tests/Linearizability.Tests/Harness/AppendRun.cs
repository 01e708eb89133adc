namespace OrleansRaft.Linearizability.Tests.Harness;

/// <summary>
/// Small histories of one key written mostly by appends of overlapping suffixes ("a", "ab", "ba"), so that the
/// values read are several appends long and can be split into suffixes in more than one way. Each comes from a real
/// execution (every operation takes effect at a random moment in its interval; an unknown one maybe never), and
/// half of them then have one read's value changed a little: a piece dropped, two swapped, one added, or another
/// read's value. Linearizable or not, they sit near the line the checker's look-ahead draws.
/// </summary>
internal static class AppendRun
{
    private static readonly string[] Suffixes = ["a", "b", "ab", "ba", "aa", ""];

    public static List<KvOperation> Generate(Random random, int count)
    {
        var ops = new List<(KvOperation Op, double At, bool Applies)>(count);
        for (var i = 0; i < count; i++)
        {
            var call = random.Next(0, 12);
            var duration = random.Next(0, 6);
            long? ret = random.Next(8) == 0 ? null : call + duration;
            var roll = random.Next(100);
            var kind = roll < 55 ? KvOperationKind.Append : roll < 90 ? KvOperationKind.Get : roll < 95 ? KvOperationKind.Put : KvOperationKind.Delete;
            if (kind == KvOperationKind.Get)
            {
                ret ??= call + duration; // a read's lost reply says nothing: the checker leaves it out
            }

            var op = new KvOperation
            {
                ClientId = i,
                Kind = kind,
                Key = "k",
                Input = kind switch
                {
                    KvOperationKind.Append => Suffixes[random.Next(Suffixes.Length)],
                    KvOperationKind.Put => Suffixes[random.Next(Suffixes.Length - 1)],
                    _ => null,
                },
                Call = call,
                Return = ret,
            };

            // Where it takes effect: within [call, return], or for an unknown outcome any time after the call, or never.
            var at = call + (random.NextDouble() * (ret is null ? 20 : duration));
            ops.Add((op, at, ret is not null || random.Next(2) == 0));
        }

        string? value = null;
        var history = new List<KvOperation>(count);
        foreach (var (op, _, applies) in ops.OrderBy(o => o.At))
        {
            if (!applies)
            {
                history.Add(op);
                continue;
            }

            switch (op.Kind)
            {
                case KvOperationKind.Get:
                    history.Add(op with { Output = value });
                    continue;
                case KvOperationKind.Put:
                    value = op.Input;
                    break;
                case KvOperationKind.Append:
                    value += op.Input;
                    break;
                default:
                    value = null;
                    break;
            }

            history.Add(op);
        }

        return random.Next(2) == 0 ? history : WithOneReadChanged(random, history);
    }

    private static List<KvOperation> WithOneReadChanged(Random random, List<KvOperation> history)
    {
        var gets = history.FindAll(o => o.Kind == KvOperationKind.Get);
        if (gets.Count == 0)
        {
            return history;
        }

        var target = gets[random.Next(gets.Count)];
        var value = target.Output ?? "";
        var cut = value.Length == 0 ? 0 : random.Next(value.Length);
        var changed = random.Next(4) switch
        {
            0 => value.Remove(cut, Math.Min(1 + random.Next(2), value.Length - cut)),
            1 when value.Length >= 2 => value[cut..] + value[..cut],
            2 => value.Insert(cut, Suffixes[random.Next(Suffixes.Length - 1)]),
            _ => gets[random.Next(gets.Count)].Output,
        };
        return [.. history.Select(o => ReferenceEquals(o, target) ? o with { Output = changed } : o)];
    }
}
