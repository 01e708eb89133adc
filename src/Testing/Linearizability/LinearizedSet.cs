namespace OrleansRaft.Testing.Linearizability;

/// <summary>
/// The operations linearized so far, as a bitset, with an incrementally kept (Zobrist) hash of the ones with a
/// known outcome. Operations with an unknown outcome are left out of the hash so that the cache can find a state
/// that reached the same point with fewer of them (see <see cref="Covers"/>).
/// </summary>
internal sealed class LinearizedSet
{
    private readonly ulong[] words;
    private readonly ulong[] knownMask;

    public LinearizedSet(IReadOnlyList<KvOperation> ops)
    {
        words = new ulong[(ops.Count + 63) / 64];
        knownMask = new ulong[words.Length];
        for (var op = 0; op < ops.Count; op++)
        {
            if (ops[op].Return is not null)
            {
                knownMask[op >> 6] |= Bit(op);
            }
        }
    }

    public ulong Hash { get; private set; }

    public void Add(int op)
    {
        words[op >> 6] |= Bit(op);
        Hash ^= KeyOf(op);
    }

    public void Remove(int op)
    {
        words[op >> 6] &= ~Bit(op);
        Hash ^= KeyOf(op);
    }

    public ulong HashWith(int op) => Hash ^ KeyOf(op);

    /// <summary>
    /// Whether <paramref name="earlier"/> linearized the same known operations as this set plus <paramref name="op"/>,
    /// and no unknown one this set (plus op) has not. Such a state, with the same value, could do anything this one
    /// can: an unknown operation may be left out forever.
    /// </summary>
    public bool Covers(ulong[] earlier, int op)
    {
        var at = op >> 6;
        for (var i = 0; i < words.Length; i++)
        {
            var word = i == at ? words[i] | Bit(op) : words[i];
            if ((earlier[i] & ~word) != 0 || ((earlier[i] ^ word) & knownMask[i]) != 0)
            {
                return false;
            }
        }

        return true;
    }

    public ulong[] CopyWith(int op)
    {
        var copy = (ulong[])words.Clone();
        copy[op >> 6] |= Bit(op);
        return copy;
    }

    private static ulong Bit(int op) => 1UL << (op & 63);

    // SplitMix64 of the index, fixed so that runs are repeatable; zero for unknown operations.
    private ulong KeyOf(int op)
    {
        if ((knownMask[op >> 6] & Bit(op)) == 0)
        {
            return 0;
        }

        var z = ((ulong)op + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
