namespace OrleansRaft.Linearizability.Tests.Harness;

/// <summary>
/// Small arbitrary histories on one key, linearizable or not, over a tiny alphabet so that values repeat and
/// overlap ("a", "ab", "x", "xx"): the cases the checker's shortcuts must not get wrong.
/// </summary>
internal static class TinyHistory
{
    private static readonly string?[] Reads = [null, "", "a", "b", "x", "ab", "ax", "xx", "bx", "axx", "abx", "?", "?x"];
    private static readonly string[] Values = ["", "a", "b", "ab", "?"];
    private static readonly string[] Suffixes = ["", "x", "b"];

    public static List<KvOperation> Generate(Random random, int count)
    {
        var ops = new List<KvOperation>(count);
        for (var i = 0; i < count; i++)
        {
            var call = random.Next(0, 16);
            long? ret = random.Next(6) == 0 ? null : call + random.Next(0, 8);
            var kind = (KvOperationKind)random.Next(4);
            ops.Add(new KvOperation
            {
                ClientId = i,
                Kind = kind,
                Key = "k",
                Input = kind switch
                {
                    KvOperationKind.Put => Values[random.Next(Values.Length)],
                    KvOperationKind.Append => Suffixes[random.Next(Suffixes.Length)],
                    _ => null,
                },
                Output = kind == KvOperationKind.Get ? Reads[random.Next(Reads.Length)] : null,
                Call = call,
                Return = ret,
            });
        }

        return ops;
    }
}
