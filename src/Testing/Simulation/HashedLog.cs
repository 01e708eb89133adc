using OrleansRaft.Raft;
using OrleansRaft.Raft.Storage;

namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// A node's stored log (a <see cref="MemoryStorage"/>) plus a rolling hash chain over it:
/// chain[i] = mix(chain[i - 1], term_i, hash(kind_i, data_i)). Two logs hold the same entries up to index i
/// iff their chains agree at i, which makes the log matching check O(1) per index. After compaction the chain is
/// known from the snapshot's index on (<see cref="ChainBase"/>): a snapshot carries the chain at its index.
/// It also keeps the configuration entries of the log, so the configuration a node should be in is known.
/// </summary>
public sealed class HashedLog
{
    private readonly List<ulong> chain;
    private readonly SortedList<long, Configuration> configurations;
    private Configuration snapshotConfiguration = Configuration.Empty;
    private long snapshotConfigurationIndex;

    public HashedLog()
    {
        Storage = new MemoryStorage();
        chain = [Fnv.Offset];
        configurations = [];
    }

    private HashedLog(HashedLog other)
    {
        Storage = other.Storage.Clone();
        chain = [.. other.chain];
        ChainBase = other.ChainBase;
        configurations = new SortedList<long, Configuration>(other.configurations);
        snapshotConfiguration = other.snapshotConfiguration;
        snapshotConfigurationIndex = other.snapshotConfigurationIndex;
        Truncations = other.Truncations;
    }

    public MemoryStorage Storage { get; }

    /// <summary>How many appends replaced a stored suffix with entries of another term (conflict resolution, §5.3).</summary>
    public long Truncations { get; private set; }

    /// <summary>The lowest index whose chain hash is known: 0, or the index of the snapshot the log restarted from.</summary>
    public long ChainBase { get; private set; }

    public HardState HardState => Storage.HardState;

    public long FirstIndex => Storage.FirstIndex;

    public long LastIndex => Storage.LastIndex;

    /// <summary>The lowest index both this log's term and its chain hash are known for.</summary>
    public long KnownFrom => Math.Max(ChainBase, FirstIndex - 1);

    public Snapshot? Snapshot => Storage.Snapshot;

    /// <summary>
    /// The configuration in force at the end of this log: its newest configuration entry, or that of the leader's
    /// snapshot it restarted from. (Entries compacted by the host itself are remembered here, so they still count.)
    /// </summary>
    public Configuration Configuration => configurations.Count > 0 ? configurations.Values[^1] : snapshotConfiguration;

    /// <summary>Where <see cref="Configuration"/> comes from: its entry's index, or the snapshot's.</summary>
    public long ConfigurationIndex => configurations.Count > 0 ? configurations.Keys[^1] : snapshotConfigurationIndex;

    public long Term(long index) => Storage.Term(index);

    /// <summary>The chain hash of entries [1, <paramref name="index"/>]; index 0 is the empty log.</summary>
    public ulong ChainAt(long index)
    {
        if (index < ChainBase || index > LastIndex)
        {
            throw new SimulationFailureException($"[internal] chain hash at {index} asked of a log that knows [{ChainBase}, {LastIndex}]");
        }

        return chain[(int)(index - ChainBase)];
    }

    /// <summary>The configuration entry at <paramref name="index"/>, if the stored log has one there.</summary>
    public Configuration? ConfigurationEntryAt(long index) => configurations.GetValueOrDefault(index);

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

        var first = entries[0].Index;
        if (first <= LastIndex && first >= FirstIndex && Term(first) != entries[0].Term)
        {
            Truncations++;
        }

        Storage.Append(entries);
        chain.RemoveRange((int)(first - ChainBase), chain.Count - (int)(first - ChainBase));
        while (configurations.Count > 0 && configurations.Keys[^1] >= first)
        {
            configurations.RemoveAt(configurations.Count - 1);
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Index != first + i)
            {
                throw new SimulationFailureException(
                    $"[log-gap] Ready.Entries are not consecutive: index {entry.Index} at position {i} after first index {first}");
            }

            chain.Add(Link(chain[^1], entry));
            if (entry.Kind == EntryKind.Configuration)
            {
                var next = Configuration.Decode(entry.Data.Span);
                var previous = Configuration;
                if (previous.Voters.Length > 0 && previous.Voters.Except(next.Voters).Count() + next.Voters.Except(previous.Voters).Count() > 1)
                {
                    throw new SimulationFailureException(
                        $"[membership-one-at-a-time] configuration entry {entry.Index}@{entry.Term} changes the voters from " +
                        $"{previous} to {next}: more than one server at a time (thesis §4.1)");
                }

                configurations[entry.Index] = next;
            }
        }
    }

    /// <summary>The host snapshots at <paramref name="index"/> and drops the log up to <paramref name="compactTo"/> (§7).</summary>
    public void TakeSnapshot(long index, Configuration configuration, ReadOnlyMemory<byte> data, long compactTo)
    {
        Storage.CreateSnapshot(index, configuration, data);
        Storage.Compact(compactTo);
        var drop = (int)(Storage.FirstIndex - 1 - ChainBase);
        if (drop > 0)
        {
            chain.RemoveRange(0, drop);
            ChainBase += drop;
        }
    }

    /// <summary>Installs a leader's snapshot: the log is replaced by it, and the chain restarts from the one it carries.</summary>
    public void ApplySnapshot(Snapshot snapshot, ulong chainAtSnapshot)
    {
        Storage.ApplySnapshot(snapshot);
        chain.Clear();
        chain.Add(chainAtSnapshot);
        ChainBase = snapshot.Index;
        configurations.Clear();
        snapshotConfiguration = snapshot.Configuration;
        snapshotConfigurationIndex = snapshot.Index;
    }

    /// <summary>A deep copy, as a crash-and-restart sees the durable state.</summary>
    public HashedLog Clone() => new(this);
}
