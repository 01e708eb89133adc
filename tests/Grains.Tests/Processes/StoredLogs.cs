using Npgsql;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Raft;

namespace OrleansRaft.Grains.Tests.Processes;

/// <summary>
/// Reads the replicas' logs straight from their PostgreSQL rows: committed entries must be the same on every
/// node (Log Matching), and counting repeated client requests shows how many retries the log really holds.
/// </summary>
internal static class StoredLogs
{
    public static async Task<StoredLogSummary> SummarizeAsync(string connectionString, long groupId, IReadOnlyList<long> nodes, long upTo)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        var logs = new List<(long Node, List<(long Index, long Term, short Kind, byte[] Payload)> Entries)>();
        foreach (var node in nodes)
        {
            await using var command = source.CreateCommand("SELECT idx, term, kind, payload FROM raft_log WHERE group_id = $1 AND node_id = $2 AND idx <= $3 ORDER BY idx");
            command.Parameters.Add(new NpgsqlParameter { Value = groupId });
            command.Parameters.Add(new NpgsqlParameter { Value = node });
            command.Parameters.Add(new NpgsqlParameter { Value = upTo });
            await using var reader = await command.ExecuteReaderAsync();
            var entries = new List<(long, long, short, byte[])>();
            while (await reader.ReadAsync())
            {
                entries.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetInt16(2), (byte[])reader.GetValue(3)));
            }

            logs.Add((node, entries));
        }

        var (first, reference) = logs[0];
        var mismatch = logs.Skip(1).Select(other => Compare(first, reference, other.Node, other.Entries)).FirstOrDefault(m => m is not null)
            ?? (reference.Count == upTo && reference.Select((e, i) => e.Index == i + 1).All(x => x) ? null : $"node {first} stores {reference.Count} entries at or below {upTo}, not 1..{upTo}");

        var seen = new HashSet<(string, long)>();
        var commands = 0;
        var repeated = 0;
        foreach (var entry in reference.Where(e => e.Kind == (short)EntryKind.Command))
        {
            commands++;
            if (KvCommand.Decode(entry.Payload).Request is { } request && !seen.Add((request.ClientId, request.Sequence)))
            {
                repeated++;
            }
        }

        return new StoredLogSummary(upTo, reference.Count, commands, seen.Count, repeated, mismatch);
    }

    private static string? Compare(long firstNode, List<(long Index, long Term, short Kind, byte[] Payload)> reference, long node, List<(long Index, long Term, short Kind, byte[] Payload)> entries)
    {
        for (var i = 0; i < Math.Min(reference.Count, entries.Count); i++)
        {
            var (a, b) = (reference[i], entries[i]);
            if (a.Index != b.Index || a.Term != b.Term || a.Kind != b.Kind || !a.Payload.AsSpan().SequenceEqual(b.Payload))
            {
                return $"node {node} stores index {b.Index} term {b.Term} kind {b.Kind} where node {firstNode} stores index {a.Index} term {a.Term} kind {a.Kind}";
            }
        }

        return reference.Count == entries.Count ? null : $"node {node} stores {entries.Count} committed entries, node {firstNode} {reference.Count}";
    }
}
