using System.Runtime.InteropServices;

namespace OrleansRaft.Testing.Linearizability;

/// <summary>
/// The (linearized set, state) pairs the search has reached. Reaching one again cannot lead anywhere new: the rest
/// of the search depends only on which operations remain and on the value. Nor can reaching one that differs only
/// in having linearized more operations of unknown outcome (<see cref="LinearizedSet.Covers"/>): without that,
/// every subset of the unknown Deletes that change nothing would be tried.
/// </summary>
internal sealed class StateCache
{
    private readonly Dictionary<ulong, int> chains = [];
    private readonly List<(ulong[] Linearized, string? State, int Next)> entries = [];

    /// <summary>Stands for a value no read left can see; told apart by reference, so no real value is taken for it.</summary>
    public static readonly string Irrelevant = new("(irrelevant)".ToCharArray());

    public static int Hash(string? state) => state is null ? 0x5bd1e995 : string.GetHashCode(state, StringComparison.Ordinal);

    /// <summary>Records <paramref name="linearized"/> plus <paramref name="op"/> with <paramref name="state"/>; false if covered already.</summary>
    public bool TryAdd(LinearizedSet linearized, int op, string? state, int stateHash)
    {
        var key = linearized.HashWith(op) ^ ((ulong)(uint)stateHash * 0xC2B2AE3D27D4EB4FUL);
        ref var head = ref CollectionsMarshal.GetValueRefOrAddDefault(chains, key, out var exists);
        if (exists)
        {
            for (var i = head; i >= 0; i = entries[i].Next)
            {
                var (bits, s, _) = entries[i];
                if (SameState(s, state) && linearized.Covers(bits, op))
                {
                    return false;
                }
            }
        }
        else
        {
            head = -1;
        }

        entries.Add((linearized.CopyWith(op), state, head));
        head = entries.Count - 1;
        return true;
    }

    private static bool SameState(string? a, string? b) =>
        ReferenceEquals(a, b) || (!ReferenceEquals(a, Irrelevant) && !ReferenceEquals(b, Irrelevant) && string.Equals(a, b, StringComparison.Ordinal));
}
