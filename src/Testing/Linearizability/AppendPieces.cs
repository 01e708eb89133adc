namespace OrleansRaft.Testing.Linearizability;

/// <summary>
/// Where the appends' suffixes occur in the values read from one key. A value read from a key written by appends is
/// as long as the history and contains nearly every suffix, so rather than searching it for each suffix in turn,
/// each place in it is looked up once for each suffix length; and what the last value asked about shares with this
/// one at its start (the values read from an append-only key are mostly each other's prefixes) is taken from it.
/// </summary>
internal sealed class AppendPieces
{
    private readonly Dictionary<string, List<int>> bySuffix = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>>.AlternateLookup<ReadOnlySpan<char>> lookup;
    private readonly int[] lengths; // the suffix lengths there are, shortest first
    private readonly List<(int At, int Append, int Length)> atOnePlace = [];
    private string? lastValue;
    private List<(int At, int Append, int Length)> lastPieces = [];

    /// <param name="ops">The key's operations; pieces name appends by their index here.</param>
    public AppendPieces(IReadOnlyList<KvOperation> ops)
    {
        for (var i = 0; i < ops.Count; i++)
        {
            if (ops[i] is { Kind: KvOperationKind.Append, Input: { } suffix })
            {
                if (suffix.Length == 0)
                {
                    EmptyAppends.Add(i);
                }
                else if (bySuffix.TryGetValue(suffix, out var same))
                {
                    same.Add(i);
                }
                else
                {
                    bySuffix[suffix] = [i];
                }
            }
        }

        lookup = bySuffix.GetAlternateLookup<ReadOnlySpan<char>>();
        lengths = [.. bySuffix.Keys.Select(s => s.Length).Distinct().Order()];
    }

    /// <summary>The appends of an empty suffix, in order.</summary>
    public List<int> EmptyAppends { get; } = [];

    /// <summary>Each non-empty suffix at each place it occurs in <paramref name="value"/>, by place, then append.</summary>
    /// <remarks>The list returned may be the one returned for an equal value before: it must not be changed.</remarks>
    public List<(int At, int Append, int Length)> Find(string value)
    {
        if (lengths.Length == 0)
        {
            return [];
        }

        if (string.Equals(value, lastValue, StringComparison.Ordinal))
        {
            return lastPieces;
        }

        var shared = lastValue is null ? 0 : value.AsSpan().CommonPrefixLength(lastValue);

        // A piece that starts this far before the end of the shared start lies wholly in it: kept.
        var from = Math.Max(0, shared - lengths[^1] + 1);
        var pieces = new List<(int At, int Append, int Length)>(lastPieces.Count + 16);
        foreach (var piece in lastPieces)
        {
            if (piece.At >= from)
            {
                break;
            }

            pieces.Add(piece);
        }

        if (bySuffix.Count * 16 < (value.Length - from) * lengths.Length)
        {
            // Few suffixes for the text to look through (a short history): searching for each is quicker.
            var found = pieces.Count;
            foreach (var (suffix, appends) in bySuffix)
            {
                for (var at = value.IndexOf(suffix, from, StringComparison.Ordinal); at >= 0; at = value.IndexOf(suffix, at + 1, StringComparison.Ordinal))
                {
                    foreach (var append in appends)
                    {
                        pieces.Add((at, append, suffix.Length));
                    }
                }
            }

            pieces.Sort(found, pieces.Count - found, null);
        }
        else
        {
            FindEach(value, from, pieces);
        }

        lastValue = value;
        lastPieces = pieces;
        return pieces;
    }

    /// <summary>Whether appends alone, any of them in any order and as often as needed, can make <paramref name="value"/> from an absent key.</summary>
    public bool CanBuild(string value) => CanBuild(value, Find(value), EmptyAppends.Count > 0);

    /// <summary>
    /// As <see cref="CanBuild(string)"/>, given <paramref name="value"/>'s pieces, and also from the prefixes of it
    /// <paramref name="starts"/> long (a Put's value).
    /// </summary>
    public static bool CanBuild(string value, List<(int At, int Append, int Length)> pieces, bool emptyAppend, IEnumerable<int>? starts = null)
    {
        // reached[i]: value[..i] can be the whole value at some point.
        var reached = new bool[value.Length + 1];
        reached[0] = emptyAppend; // "" appended to an absent key
        foreach (var start in starts ?? [])
        {
            reached[start] = true;
        }

        foreach (var (at, _, length) in pieces)
        {
            // A suffix at the start can be appended to an absent key.
            reached[at + length] |= at == 0 || reached[at];
        }

        return reached[value.Length];
    }

    // Looks up each place in the value from the one given on, once for each suffix length.
    private void FindEach(string value, int from, List<(int At, int Append, int Length)> pieces)
    {
        var span = value.AsSpan();
        for (var at = from; at < value.Length; at++)
        {
            atOnePlace.Clear();
            foreach (var length in lengths)
            {
                if (at + length > value.Length)
                {
                    break;
                }

                if (lookup.TryGetValue(span.Slice(at, length), out var appends))
                {
                    foreach (var append in appends)
                    {
                        atOnePlace.Add((at, append, length));
                    }
                }
            }

            if (atOnePlace.Count > 1)
            {
                atOnePlace.Sort();
            }

            pieces.AddRange(atOnePlace);
        }
    }
}
