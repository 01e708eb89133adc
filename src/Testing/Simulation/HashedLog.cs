using OrleansRaft.Raft;
using OrleansRaft.Raft.Storage;

namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// A node's stored log (a <see cref="MemoryStorage"/>) plus a rolling hash chain over it:
/// chain[i] = mix(chain[i - 1], term_i, hash(kind_i, data_i)). Two logs hold the same entries up to index i
/// iff their chains agree at i, which makes the log matching check O(1) per index.
/// </summary>
public sealed class HashedLog
{
    private readonly List<ulong> chain;

    public HashedLog()
    {
        Storage = new MemoryStorage();
        chain = [Fnv.Offset];
    }

    private HashedLog(MemoryStorage storage, List<ulong> chain)
    {
        Storage = storage;
        this.chain = chain;
    }

    public MemoryStorage Storage { get; }

    /// <summary>How many appends replaced a stored suffix with entries of another term (conflict resolution, §5.3).</summary>
    public long Truncations { get; private set; }

    public HardState HardState => Storage.HardState;

    public long LastIndex => Storage.LastIndex;

    public long Term(long index) => Storage.Term(index);

    /// <summary>The chain hash of entries [1, <paramref name="index"/>]; index 0 is the empty log.</summary>
    public ulong ChainAt(long index) => chain[(int)index];

    public LogEntry EntryAt(long index) => Storage.Entries(index, index + 1, long.MaxValue)[0];

    public static ulong EntryHash(in LogEntry entry) => Fnv.Hash(entry.Data.Span, Fnv.Mix(Fnv.Offset, (long)entry.Kind));

    public static ulong Link(ulong previous, in LogEntry entry) => Fnv.Mix(Fnv.Mix(previous, entry.Term), unchecked((long)EntryHash(entry)));

    public void SetHardState(HardState state) => Storage.SetHardState(state);

    /// <summary>Appends, deleting any stored suffix from the first new index on, and re-links the chain.</summary>
    public void Append(IReadOnlyList<LogEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var first = (int)entries[0].Index;
        if (first <= LastIndex && Term(first) != entries[0].Term)
        {
            Truncations++;
        }

        Storage.Append(entries);
        chain.RemoveRange(first, chain.Count - first);
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Index != first + i)
            {
                throw new SimulationFailureException(
                    $"[log-gap] Ready.Entries are not consecutive: index {entries[i].Index} at position {i} after first index {first}");
            }

            chain.Add(Link(chain[^1], entries[i]));
        }
    }

    /// <summary>A deep copy, as a crash-and-restart sees the durable state.</summary>
    public HashedLog Clone() => new(Storage.Clone(), [.. chain]);
}
