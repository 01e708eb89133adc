using OrleansRaft.Raft;

namespace OrleansRaft.Grains.Kv;

/// <summary>
/// Keys to byte values, changed only by committed log entries, applied in index order on every replica alike.
/// Remembers each client session's replies so a retried write is applied once (thesis §6.3).
/// </summary>
public sealed class KvStateMachine(TimeSpan sessionTimeout, int maxRepliesPerSession = 4096)
{
    /// <summary>How often, in applied entries, expired sessions are swept: an index rule, so all replicas agree.</summary>
    private const long SweepEvery = 1024;

    private readonly Dictionary<string, byte[]> values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ClientSession> sessions = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, string> members = [];

    public KvStateMachine()
        : this(TimeSpan.FromMinutes(10))
    {
    }

    /// <summary>The log's clock: the newest leader timestamp applied so far.</summary>
    public long LogTime { get; private set; }

    public long AppliedIndex { get; private set; }

    public int Count => values.Count;

    public int SessionCount => sessions.Count;

    /// <summary>Node id → base address of the members whose address was replicated (<see cref="KvOperation.MemberAddress"/>).</summary>
    public IReadOnlyDictionary<long, string> Members => members;

    /// <summary>Bumped whenever <see cref="Members"/> changes, so a host re-reads it only then.</summary>
    public long MembersVersion { get; private set; }

    public bool TryGet(string key, out byte[] value) => values.TryGetValue(key, out value!);

    /// <summary>The state as of <see cref="AppliedIndex"/>, to write while applying goes on (see <see cref="KvSnapshot"/>).</summary>
    public KvSnapshot Capture() => new(
        AppliedIndex,
        LogTime,
        [.. values],
        [.. sessions.Select(s => KeyValuePair.Create(s.Key, s.Value.Copy()))],
        [.. members]);

    /// <summary>
    /// Replaces the whole state with a snapshot written by <see cref="KvSnapshot.WriteTo"/>. Throws
    /// <see cref="InvalidDataException"/> and keeps the current state when the snapshot is damaged.
    /// </summary>
    public void Restore(Stream source)
    {
        var checksummed = new Crc32Stream(source);
        var restoredValues = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var restoredSessions = new Dictionary<string, ClientSession>(StringComparer.Ordinal);
        var restoredMembers = new Dictionary<long, string>();
        long appliedIndex, logTime;
        try
        {
            using var reader = new BinaryReader(checksummed, System.Text.Encoding.UTF8, leaveOpen: true);
            if (reader.ReadUInt32() != KvSnapshot.Magic || reader.ReadUInt16() is var version && version is not (KvSnapshot.Version or 1))
            {
                throw new InvalidDataException("not a key/value snapshot of a known version");
            }

            appliedIndex = reader.ReadInt64();
            logTime = reader.ReadInt64();
            var count = ReadCount(reader);
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadString();
                var value = ReadBlock(reader, ReadCount(reader));
                restoredValues[key] = value;
            }

            var sessionCount = ReadCount(reader);
            for (var i = 0; i < sessionCount; i++)
            {
                var id = reader.ReadString();
                var session = new ClientSession { LastActive = reader.ReadInt64(), LowestUnanswered = reader.ReadInt64() };
                var replies = ReadCount(reader);
                for (var r = 0; r < replies; r++)
                {
                    session.Replies[reader.ReadInt64()] = new KvResult(reader.ReadInt64(), reader.ReadBoolean(), reader.ReadInt64(), reader.ReadBoolean());
                }

                restoredSessions[id] = session;
            }

            // Version 1 snapshots predate replicated member addresses.
            var memberCount = version >= 2 ? ReadCount(reader) : 0;
            for (var i = 0; i < memberCount; i++)
            {
                restoredMembers[reader.ReadInt64()] = reader.ReadString();
            }

            var expected = checksummed.Crc;
            Span<byte> crc = stackalloc byte[4];
            source.ReadExactly(crc);
            if (System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(crc) != expected)
            {
                throw new InvalidDataException("the snapshot's checksum does not match its contents");
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("the snapshot is truncated", e);
        }

        values.Clear();
        foreach (var (key, value) in restoredValues)
        {
            values[key] = value;
        }

        sessions.Clear();
        foreach (var (id, session) in restoredSessions)
        {
            sessions[id] = session;
        }

        members.Clear();
        foreach (var (id, address) in restoredMembers)
        {
            members[id] = address;
        }

        MembersVersion++;
        AppliedIndex = appliedIndex;
        LogTime = logTime;
    }

    /// <summary>Applies one committed entry. Returns the write's result for command entries, null otherwise.</summary>
    public KvResult? Apply(LogEntry entry)
    {
        if (entry.Index != AppliedIndex + 1 && AppliedIndex != 0)
        {
            throw new InvalidOperationException($"entry {entry.Index} applied after {AppliedIndex}: entries must be applied in order");
        }

        AppliedIndex = entry.Index;
        if (entry.Index % SweepEvery == 0)
        {
            ExpireSessions();
        }

        if (entry.Kind != EntryKind.Command)
        {
            return null;
        }

        KvCommand command;
        try
        {
            command = KvCommand.Decode(entry.Data);
        }
        catch (FormatException)
        {
            // Every replica rejects the same bytes the same way, so skipping keeps them identical.
            return null;
        }

        LogTime = Math.Max(LogTime, command.Timestamp);
        if (command.Request is not { } request)
        {
            return Execute(command, entry.Index);
        }

        if (!sessions.TryGetValue(request.ClientId, out var session))
        {
            session = new ClientSession();
            sessions[request.ClientId] = session;
        }

        session.LastActive = LogTime;
        if (session.Replies.TryGetValue(request.Sequence, out var earlier))
        {
            return earlier; // a retry: answer as the first time, apply nothing
        }

        if (request.Sequence < session.LowestUnanswered)
        {
            return new KvResult(entry.Index, false, 0, Stale: true);
        }

        var result = Execute(command, entry.Index);
        session.Replies[request.Sequence] = result;
        session.LowestUnanswered = Math.Max(session.LowestUnanswered, request.LowestUnanswered);
        while (session.Replies.Count > 0
               && (session.Replies.First().Key < session.LowestUnanswered || session.Replies.Count > maxRepliesPerSession))
        {
            var forgotten = session.Replies.First().Key;
            session.Replies.Remove(forgotten);

            // A reply dropped for room is gone: a retry of it must be refused as stale, never applied again.
            session.LowestUnanswered = Math.Max(session.LowestUnanswered, forgotten + 1);
        }

        return result;
    }

    private KvResult Execute(KvCommand command, long index)
    {
        switch (command.Operation)
        {
            case KvOperation.Put:
                values[command.Key] = command.Value.ToArray();
                return new KvResult(index, true, command.Value.Length);
            case KvOperation.Append:
                var existed = values.TryGetValue(command.Key, out var old);
                var joined = new byte[(old?.Length ?? 0) + command.Value.Length];
                old?.CopyTo(joined, 0);
                command.Value.Span.CopyTo(joined.AsSpan(old?.Length ?? 0));
                values[command.Key] = joined;
                return new KvResult(index, existed, joined.Length);
            case KvOperation.MemberAddress:
                return new KvResult(index, SetMember(command), command.Value.Length);
            default:
                return new KvResult(index, values.Remove(command.Key), 0);
        }
    }

    private bool SetMember(KvCommand command)
    {
        if (!long.TryParse(command.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) || id <= 0)
        {
            return false; // every replica ignores the same malformed key alike
        }

        MembersVersion++;
        var existed = command.Value.Length == 0 ? members.Remove(id) : members.ContainsKey(id);
        if (command.Value.Length > 0)
        {
            members[id] = System.Text.Encoding.UTF8.GetString(command.Value.Span);
        }

        return existed;
    }

    /// <summary>Reads <paramref name="length"/> bytes in steps, so a damaged length cannot allocate gigabytes up front.</summary>
    private static byte[] ReadBlock(BinaryReader reader, int length)
    {
        const int Step = 1 << 16;
        if (length <= Step)
        {
            var small = reader.ReadBytes(length);
            return small.Length == length ? small : throw new EndOfStreamException();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[Step];
        while (buffer.Length < length)
        {
            var want = (int)Math.Min(Step, length - buffer.Length);
            reader.BaseStream.ReadExactly(chunk, 0, want);
            buffer.Write(chunk, 0, want);
        }

        return buffer.ToArray();
    }

    private static int ReadCount(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        return count >= 0 ? count : throw new InvalidDataException($"a negative count ({count}) in the snapshot");
    }

    private void ExpireSessions()
    {
        var cutoff = LogTime - (long)sessionTimeout.TotalMilliseconds;
        foreach (var (id, session) in sessions)
        {
            if (session.LastActive < cutoff)
            {
                sessions.Remove(id);
            }
        }
    }
}
