namespace OrleansRaft.Raft.Storage;

/// <summary>
/// The core's view of the log: what storage holds, plus the unstable tail not yet persisted, plus the commit
/// and apply positions. Indices start at <see cref="FirstIndex"/>, which is above 1 after compaction; a snapshot
/// received from the leader and not yet persisted hides storage entirely until the host installs it.
/// </summary>
internal sealed class RaftLog
{
    private readonly ILogReader storage;
    private readonly UnstableLog unstable;

    public RaftLog(ILogReader storage, long applied)
    {
        this.storage = storage;
        unstable = new UnstableLog(storage.LastIndex + 1);

        // A snapshot holds only committed entries, and the host restores its state machine from it on restart. The
        // commit index need not be durable (a host may skip commit-only writes), so it can lag the snapshot.
        var snapshotIndex = Math.Max(storage.FirstIndex - 1, storage.Snapshot?.Index ?? 0);
        Committed = Math.Max(storage.HardState.Commit, snapshotIndex);
        if (applied > Committed)
        {
            throw new ArgumentException($"applied index {applied} is beyond the persisted commit index {Committed}");
        }

        Applied = Math.Max(applied, snapshotIndex);
    }

    public long Committed { get; private set; }

    public long Applied { get; private set; }

    public long FirstIndex => unstable.Snapshot is { } pending ? pending.Index + 1 : storage.FirstIndex;

    public long LastIndex => unstable.LastIndex ?? storage.LastIndex;

    public long LastTerm => Term(LastIndex);

    public bool HasUnstable => unstable.Count > 0 || unstable.Snapshot is not null;

    /// <summary>A snapshot from the leader that the host has yet to install.</summary>
    public Snapshot? PendingSnapshot => unstable.Snapshot;

    /// <summary>The newest snapshot: the one pending installation, else the stored one.</summary>
    public Snapshot? Snapshot => unstable.Snapshot ?? storage.Snapshot;

    /// <summary>The last index known to be persisted and still part of the log.</summary>
    public long StableLastIndex => unstable.Offset - 1;

    /// <summary>The term at <paramref name="index"/>, or false when compacted away or beyond the end.</summary>
    public bool TryGetTerm(long index, out long term)
    {
        if (unstable.TryGetTerm(index, out term))
        {
            return true;
        }

        // Storage may still hold a stale suffix at or above the unstable offset; it does not count. A pending
        // snapshot replaces all of storage.
        if (unstable.Snapshot is null && index >= storage.FirstIndex - 1 && index <= storage.LastIndex && index < unstable.Offset)
        {
            term = storage.Term(index);
            return true;
        }

        term = 0;
        return false;
    }

    public long Term(long index) => TryGetTerm(index, out var term) ? term : 0;

    public bool MatchTerm(long index, long term) => TryGetTerm(index, out var t) && t == term;

    /// <summary>§5.4.1: a candidate's log is at least as up-to-date as ours.</summary>
    public bool IsUpToDate(long lastIndex, long lastTerm) =>
        lastTerm > LastTerm || (lastTerm == LastTerm && lastIndex >= LastIndex);

    /// <summary>
    /// The follower side of AppendEntries (§5.3): if our log has (prevIndex, prevTerm), append the new entries,
    /// truncating from the first one that conflicts, and commit up to min(leaderCommit, last new index).
    /// Returns the last index now known to match the leader, or null when the consistency check fails;
    /// <paramref name="appended"/> is the part of <paramref name="entries"/> that was new to our log.
    /// </summary>
    public long? MaybeAppend(long prevIndex, long prevTerm, long leaderCommit, LogEntry[] entries, out ReadOnlyMemory<LogEntry> appended)
    {
        appended = ReadOnlyMemory<LogEntry>.Empty;
        if (!MatchTerm(prevIndex, prevTerm))
        {
            return null;
        }

        var lastNew = prevIndex + entries.Length;
        var conflict = FindConflict(entries);
        if (conflict != 0)
        {
            if (conflict <= Committed)
            {
                throw new InvalidOperationException($"entry {conflict} conflicts with the committed prefix (commit {Committed})");
            }

            appended = entries.AsMemory((int)(conflict - entries[0].Index));
            Append(appended.Span);
        }

        // Only up to the last new entry: beyond it our log may still differ from the leader's.
        CommitTo(Math.Min(leaderCommit, lastNew));
        return lastNew;
    }

    /// <summary>The first entry whose index is new or whose term differs from ours; 0 when all match.</summary>
    private long FindConflict(LogEntry[] entries)
    {
        foreach (var entry in entries)
        {
            if (!MatchTerm(entry.Index, entry.Term))
            {
                return entry.Index;
            }
        }

        return 0;
    }

    /// <summary>
    /// The last index at or below <paramref name="index"/> whose term is at most <paramref name="term"/>: every
    /// entry above it conflicts with a log whose entry at <paramref name="index"/> has that term. Used to skip a
    /// whole term per AppendEntries rejection.
    /// </summary>
    public (long Index, long Term) FindConflictByTerm(long index, long term)
    {
        for (; index >= FirstIndex - 1; index--)
        {
            if (!TryGetTerm(index, out var t))
            {
                break;
            }

            if (t <= term)
            {
                return (index, t);
            }
        }

        return (index, 0);
    }

    public long Append(ReadOnlySpan<LogEntry> entries)
    {
        if (entries.Length == 0)
        {
            return LastIndex;
        }

        if (entries[0].Index - 1 < Committed)
        {
            throw new InvalidOperationException($"append after {entries[0].Index - 1} would rewrite the committed prefix (commit {Committed})");
        }

        unstable.TruncateAndAppend(entries);
        return LastIndex;
    }

    public void CommitTo(long index)
    {
        if (index > Committed)
        {
            if (index > LastIndex)
            {
                throw new InvalidOperationException($"commit index {index} is beyond the last index {LastIndex}");
            }

            Committed = index;
        }
    }

    public void AppliedTo(long index)
    {
        if (index > Committed || index < Applied)
        {
            throw new InvalidOperationException($"applied {index} is outside [{Applied}, commit {Committed}]");
        }

        Applied = index;
    }

    public void StableTo(long index, long term) => unstable.StableTo(index, term);

    /// <summary>
    /// Figure 13 steps 7-8: the leader's snapshot replaces the whole log, which now continues after it, and
    /// everything it covers is committed. Only for a snapshot beyond the commit index.
    /// </summary>
    public void Restore(Snapshot snapshot)
    {
        if (snapshot.Index <= Committed)
        {
            throw new InvalidOperationException($"snapshot at {snapshot.Index} is not beyond the commit index {Committed}");
        }

        Committed = snapshot.Index;
        unstable.Restore(snapshot);
    }

    /// <summary>The host persisted the snapshot and restored its state machine from it.</summary>
    public void SnapshotInstalled(Snapshot snapshot)
    {
        unstable.StableSnapshotTo(snapshot.Index);
        AppliedTo(snapshot.Index);
    }

    public LogEntry[] UnstableEntries() => unstable.Count == 0 ? [] : unstable.Slice(unstable.Offset, LastIndex + 1, long.MaxValue, atLeastOne: true);

    /// <summary>Committed entries are handed over after the pending snapshot, which the host installs first.</summary>
    private long AppliedOrPendingSnapshot => unstable.Snapshot?.Index ?? Applied;

    public bool HasNextCommittedEntries => Committed > AppliedOrPendingSnapshot;

    public LogEntry[] NextCommittedEntries(long maxBytes) => Slice(AppliedOrPendingSnapshot + 1, Committed + 1, maxBytes);

    /// <summary>Entries in [low, high), at least one, at most about <paramref name="maxBytes"/>: one copy.</summary>
    public LogEntry[] Slice(long low, long high, long maxBytes)
    {
        if (low >= high)
        {
            return [];
        }

        if (low < FirstIndex)
        {
            throw new InvalidOperationException($"entries from {low} are compacted (first index {FirstIndex})");
        }

        if (low >= unstable.Offset)
        {
            return unstable.Slice(low, high, maxBytes, atLeastOne: true);
        }

        var stored = storage.Entries(low, Math.Min(high, unstable.Offset), maxBytes);
        if (high <= unstable.Offset || stored.Count < unstable.Offset - low)
        {
            return stored as LogEntry[] ?? [.. stored];
        }

        var tail = unstable.Slice(unstable.Offset, high, maxBytes - LogEntrySizes.Sum(stored), atLeastOne: false);
        var result = new LogEntry[stored.Count + tail.Length];
        for (var i = 0; i < stored.Count; i++)
        {
            result[i] = stored[i];
        }

        tail.CopyTo(result, stored.Count);
        return result;
    }

    /// <summary>
    /// Walks back from <paramref name="from"/> (at least the snapshot's index) for the newest configuration entry
    /// still in the log; when the log holds none there, the snapshot's configuration is the one in force.
    /// </summary>
    public (Configuration? Configuration, long Index) LatestConfiguration(long from)
    {
        const int chunk = 1024;
        for (var high = Math.Min(from, LastIndex) + 1; high > FirstIndex; high -= chunk)
        {
            var low = Math.Max(FirstIndex, high - chunk);
            var entries = Slice(low, high, long.MaxValue);
            for (var i = entries.Length - 1; i >= 0; i--)
            {
                if (entries[i].Kind == EntryKind.Configuration)
                {
                    return (Configuration.Decode(entries[i].Data.Span), entries[i].Index);
                }
            }
        }

        return Snapshot is { } snapshot ? (snapshot.Configuration, snapshot.Index) : (null, 0);
    }
}
