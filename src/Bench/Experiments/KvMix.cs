namespace OrleansRaft.Bench.Experiments;

/// <summary>What the workers of one load run do: which keys, which value, what share of reads.</summary>
/// <param name="Sequential">Operation n uses key n (mod the key count) — a fixed-count run touches each key once; otherwise keys are drawn uniformly.</param>
public sealed record KvMix(string[] Keys, byte[] Value, int ReadPercent, bool Sequential = false)
{
    public static string[] MakeKeys(string prefix, int count) => [.. Enumerable.Range(0, count).Select(i => $"{prefix}-{i:D6}")];
}
