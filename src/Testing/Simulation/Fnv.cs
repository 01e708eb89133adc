namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// 64-bit FNV-1a: a hash that is the same in every process (unlike <see cref="string.GetHashCode()"/> and
/// <see cref="HashCode"/>, which are randomized per process), so seeds replay to identical trace hashes.
/// </summary>
public static class Fnv
{
    public const ulong Offset = 14695981039346656037UL;

    private const ulong Prime = 1099511628211UL;

    /// <summary>Folds the eight bytes of <paramref name="value"/> into <paramref name="hash"/>.</summary>
    public static ulong Mix(ulong hash, long value)
    {
        var v = unchecked((ulong)value);
        for (var i = 0; i < 8; i++)
        {
            hash ^= v & 0xFF;
            hash *= Prime;
            v >>= 8;
        }

        return hash;
    }

    /// <summary>The hash of <paramref name="bytes"/>, starting from <paramref name="hash"/>.</summary>
    public static ulong Hash(ReadOnlySpan<byte> bytes, ulong hash = Offset)
    {
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= Prime;
        }

        return hash;
    }
}
