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

    public KvStateMachine()
        : this(TimeSpan.FromMinutes(10))
    {
    }

    /// <summary>The log's clock: the newest leader timestamp applied so far.</summary>
    public long LogTime { get; private set; }

    public long AppliedIndex { get; private set; }

    public int Count => values.Count;

    public int SessionCount => sessions.Count;

    public bool TryGet(string key, out byte[] value) => values.TryGetValue(key, out value!);

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
            default:
                return new KvResult(index, values.Remove(command.Key), 0);
        }
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
