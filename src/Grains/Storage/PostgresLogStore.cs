using System.Data;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using OrleansRaft.Raft;
using OrleansRaft.Raft.Storage;

namespace OrleansRaft.Grains.Storage;

/// <summary>
/// One replica's log and hard state in PostgreSQL, rows keyed by (group, node) so many replicas can share a
/// server. Every <see cref="SaveAsync"/> is one transaction; small ones go in a single round trip.
/// Calls must not overlap: the replica serializes them.
/// </summary>
public sealed class PostgresLogStore : ILogStore
{
    /// <summary>From this many entries on, a save streams them with binary COPY instead of one INSERT.</summary>
    internal const int CopyThreshold = 64;

    private const int LoadChunk = 4096;

    // The stored last index after a failed save: the commit may or may not have landed, so delete before the next insert.
    private const long UnknownLastIndex = long.MaxValue;

    private const string DeleteSql = "DELETE FROM raft_log WHERE group_id = $1 AND node_id = $2 AND idx >= $3";

    private const string InsertSql =
        """
        INSERT INTO raft_log (group_id, node_id, idx, term, kind, payload)
        SELECT $1, $2, e.idx, e.term, e.kind, e.payload
        FROM unnest($3::bigint[], $4::bigint[], $5::smallint[], $6::bytea[]) AS e(idx, term, kind, payload)
        """;

    private const string CopySql = "COPY raft_log (group_id, node_id, idx, term, kind, payload) FROM STDIN (FORMAT BINARY)";

    private const string UpsertStateSql =
        """
        INSERT INTO raft_state (group_id, node_id, term, voted_for, commit) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (group_id, node_id) DO UPDATE
        SET term = excluded.term, voted_for = excluded.voted_for, commit = excluded.commit
        """;

    private const string LoadStateSql = "SELECT term, voted_for, commit FROM raft_state WHERE group_id = $1 AND node_id = $2";

    private const string LoadLogSql = "SELECT idx, term, kind, payload FROM raft_log WHERE group_id = $1 AND node_id = $2 AND idx > $3 ORDER BY idx";

    private const string LoadSnapshotSql = "SELECT last_idx, last_term, config FROM raft_snapshot WHERE group_id = $1 AND node_id = $2";

    private const string LoadSnapshotChunksSql = "SELECT data FROM raft_snapshot_chunk WHERE group_id = $1 AND node_id = $2 ORDER BY seq";

    // Only a newer snapshot replaces the stored one: a local snapshot that an installed one overtook is dropped.
    private const string UpsertSnapshotSql =
        """
        INSERT INTO raft_snapshot (group_id, node_id, last_idx, last_term, config) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (group_id, node_id) DO UPDATE
        SET last_idx = excluded.last_idx, last_term = excluded.last_term, config = excluded.config
        WHERE raft_snapshot.last_idx < excluded.last_idx
        RETURNING last_idx
        """;

    private const string DeleteSnapshotChunksSql = "DELETE FROM raft_snapshot_chunk WHERE group_id = $1 AND node_id = $2";

    private const string InsertSnapshotChunksSql =
        """
        INSERT INTO raft_snapshot_chunk (group_id, node_id, seq, data)
        SELECT $1, $2, c.seq, c.data FROM unnest($3::integer[], $4::bytea[]) AS c(seq, data)
        """;

    private const string CompactSql = "DELETE FROM raft_log WHERE group_id = $1 AND node_id = $2 AND idx <= $3";

    private const int SnapshotChunkBytes = 1 << 20;

    private readonly NpgsqlDataSource dataSource;
    private readonly bool ownsDataSource;
    private readonly long groupId;
    private readonly long nodeId;
    private readonly ILogger logger;
    private long lastIndex = UnknownLastIndex;
    private bool loaded;
    private bool disposed;
    private int busy;

    /// <summary>A store with a connection pool of its own, disposed with the store.</summary>
    public PostgresLogStore(string connectionString, long groupId, long nodeId, ILogger? logger = null)
        : this(CreateDataSource(connectionString), ownsDataSource: true, groupId, nodeId, logger)
    {
    }

    /// <summary>A store over a shared data source (many replicas, one pool); the caller disposes it.</summary>
    public PostgresLogStore(NpgsqlDataSource dataSource, long groupId, long nodeId, ILogger? logger = null)
        : this(dataSource, ownsDataSource: false, groupId, nodeId, logger)
    {
    }

    private PostgresLogStore(NpgsqlDataSource dataSource, bool ownsDataSource, long groupId, long nodeId, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        this.dataSource = dataSource;
        this.ownsDataSource = ownsDataSource;
        this.groupId = groupId;
        this.nodeId = nodeId;
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// A data source tuned for this store: statements auto-prepared, and no session reset when a connection
    /// returns to the pool (the store leaves no session state behind; SET LOCAL ends with its transaction).
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = 32;
        }

        settings.NoResetOnClose = true;
        return builder.Build();
    }

    public async ValueTask<MemoryStorage> LoadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var clock = Stopwatch.StartNew();
        var applied = await PostgresSchema.MigrateAsync(dataSource, cancellationToken).ConfigureAwait(false);
        if (applied > 0)
        {
            logger.LogInformation("raft schema migrated to version {Version} ({Applied} migrations)", PostgresSchema.CurrentVersion, applied);
        }

        var storage = new MemoryStorage();
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await LoadSnapshotAsync(connection, cancellationToken).ConfigureAwait(false) is { } snapshot)
            {
                storage.ApplySnapshot(snapshot);
            }

            await LoadLogAsync(connection, storage, cancellationToken).ConfigureAwait(false);
        }

        lastIndex = storage.LastIndex;
        loaded = true;
        logger.LogInformation(
            "group {GroupId} node {NodeId}: loaded {Snapshot}, log [{First}, {Last}] and {HardState} in {Elapsed} ms",
            groupId,
            nodeId,
            storage.Snapshot?.ToString() ?? "no snapshot",
            storage.FirstIndex,
            storage.LastIndex,
            storage.HardState,
            clock.ElapsedMilliseconds);
        return storage;
    }

    private async Task<Snapshot?> LoadSnapshotAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(KeyedCommand(LoadSnapshotSql));
        batch.BatchCommands.Add(KeyedCommand(LoadSnapshotChunksSql));
        await using var reader = await batch.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var (index, term) = (reader.GetInt64(0), reader.GetInt64(1));
        var configuration = Configuration.Decode(reader.GetFieldValue<byte[]>(2));
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        using var data = new MemoryStream();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var chunk = reader.GetFieldValue<byte[]>(0);
            data.Write(chunk);
        }

        return new Snapshot(index, term, configuration, data.ToArray());
    }

    private async Task LoadLogAsync(NpgsqlConnection connection, MemoryStorage storage, CancellationToken cancellationToken)
    {
        await using (var batch = new NpgsqlBatch(connection))
        {
            batch.BatchCommands.Add(KeyedCommand(LoadStateSql));
            var log = KeyedCommand(LoadLogSql);
            log.Parameters.Add(new NpgsqlParameter<long> { TypedValue = storage.FirstIndex - 1 });
            batch.BatchCommands.Add(log);
            await using var reader = await batch.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                storage.SetHardState(new HardState(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            var chunk = new List<LogEntry>(LoadChunk);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var index = reader.GetInt64(0);
                var expected = storage.LastIndex + chunk.Count + 1;
                if (index != expected)
                {
                    throw new InvalidDataException($"raft_log of group {groupId} node {nodeId} skips from {expected - 1} to {index}");
                }

                chunk.Add(new LogEntry(index, reader.GetInt64(1), (EntryKind)reader.GetInt16(2), reader.GetFieldValue<byte[]>(3)));
                if (chunk.Count == LoadChunk)
                {
                    storage.Append(chunk);
                    chunk.Clear();
                }
            }

            storage.Append(chunk);
        }
    }

    public async ValueTask SaveAsync(HardState? hardState, IReadOnlyList<LogEntry> entries, bool sync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (!loaded)
        {
            throw new InvalidOperationException("LoadAsync must complete before SaveAsync");
        }

        if (entries.Count == 0 && hardState is null)
        {
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var first = entries.Count > 0 ? entries[0].Index : 0;
        Validate(entries, first);
        if (Interlocked.Exchange(ref busy, 1) != 0)
        {
            throw new InvalidOperationException("overlapping SaveAsync calls: the owner must serialize them");
        }

        try
        {
            var truncate = entries.Count > 0 && first <= lastIndex;
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (entries.Count < CopyThreshold)
                {
                    await using var batch = new NpgsqlBatch(connection);
                    Begin(batch, sync, truncate, first);
                    if (entries.Count > 0)
                    {
                        batch.BatchCommands.Add(InsertCommand(entries));
                    }

                    Commit(batch, hardState);
                    await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await SaveWithCopyAsync(connection, hardState, entries, sync, truncate, first, cancellationToken).ConfigureAwait(false);
                }
            }
            catch
            {
                lastIndex = UnknownLastIndex;
                await RollbackQuietlyAsync(connection).ConfigureAwait(false);
                throw;
            }

            if (entries.Count > 0)
            {
                lastIndex = entries[^1].Index;
            }
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    public async ValueTask SaveSnapshotAsync(Snapshot snapshot, long compactTo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ObjectDisposedException.ThrowIf(disposed, this);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await StoreSnapshotAsync(connection, transaction, snapshot, cancellationToken).ConfigureAwait(false))
        {
            await using var compact = new NpgsqlCommand(CompactSql, connection, transaction);
            compact.Parameters.Add(new NpgsqlParameter<long> { TypedValue = groupId });
            compact.Parameters.Add(new NpgsqlParameter<long> { TypedValue = nodeId });
            compact.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Math.Min(compactTo, snapshot.Index) });
            await compact.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask InstallSnapshotAsync(Snapshot snapshot, HardState? hardState, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(entries);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (entries.Count > 0 && entries[0].Index != snapshot.Index + 1)
        {
            throw new ArgumentException($"entries after a snapshot at {snapshot.Index} start at {entries[0].Index}", nameof(entries));
        }

        if (Interlocked.Exchange(ref busy, 1) != 0)
        {
            throw new InvalidOperationException("overlapping saves: the owner must serialize them");
        }

        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await StoreSnapshotAsync(connection, transaction, snapshot, cancellationToken).ConfigureAwait(false);
                await using var batch = new NpgsqlBatch(connection, transaction);
                var clear = KeyedCommand(DeleteSql);
                clear.Parameters.Add(new NpgsqlParameter<long> { TypedValue = 0 });
                batch.BatchCommands.Add(clear);
                if (entries.Count > 0)
                {
                    batch.BatchCommands.Add(InsertCommand(entries));
                }

                if (hardState is { } state)
                {
                    batch.BatchCommands.Add(UpsertStateCommand(state));
                }

                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                lastIndex = UnknownLastIndex;
                throw;
            }

            lastIndex = entries.Count > 0 ? entries[^1].Index : snapshot.Index;
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (ownsDataSource)
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    // Rejected here rather than stored: a gap would only surface as a corrupt log at the next load.
    private void Validate(IReadOnlyList<LogEntry> entries, long first)
    {
        if (entries.Count == 0)
        {
            return;
        }

        if (first < 1 || (lastIndex != UnknownLastIndex && first > lastIndex + 1))
        {
            throw new InvalidOperationException($"append at {first} leaves a gap after last index {lastIndex}");
        }

        for (var i = 1; i < entries.Count; i++)
        {
            if (entries[i].Index != first + i)
            {
                throw new ArgumentException($"entries are not consecutive: {entries[i].Index} follows {entries[i - 1].Index}", nameof(entries));
            }
        }
    }

    private async Task SaveWithCopyAsync(
        NpgsqlConnection connection,
        HardState? hardState,
        IReadOnlyList<LogEntry> entries,
        bool sync,
        bool truncate,
        long first,
        CancellationToken cancellationToken)
    {
        await using (var batch = new NpgsqlBatch(connection))
        {
            Begin(batch, sync, truncate, first);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(CopySql, cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(groupId, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(nodeId, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(entry.Index, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(entry.Term, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync((short)entry.Kind, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(entry.Data, NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var batch = new NpgsqlBatch(connection))
        {
            Commit(batch, hardState);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // BEGIN and COMMIT travel inside the batch so a small save costs one round trip; an error makes the server
    // skip the rest of the batch, COMMIT included.
    private void Begin(NpgsqlBatch batch, bool sync, bool truncate, long first)
    {
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        if (!sync)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit = off"));
        }

        if (truncate)
        {
            var delete = KeyedCommand(DeleteSql);
            delete.Parameters.Add(new NpgsqlParameter<long> { TypedValue = first });
            batch.BatchCommands.Add(delete);
        }
    }

    private void Commit(NpgsqlBatch batch, HardState? hardState)
    {
        if (hardState is { } state)
        {
            batch.BatchCommands.Add(UpsertStateCommand(state));
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
    }

    private NpgsqlBatchCommand UpsertStateCommand(HardState state)
    {
        var upsert = KeyedCommand(UpsertStateSql);
        upsert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = state.Term });
        upsert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = state.Vote });
        upsert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = state.Commit });
        return upsert;
    }

    /// <summary>Writes the snapshot's row and chunks unless a newer one is stored; returns whether it did.</summary>
    private async Task<bool> StoreSnapshotAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Snapshot snapshot, CancellationToken cancellationToken)
    {
        await using (var upsert = new NpgsqlCommand(UpsertSnapshotSql, connection, transaction))
        {
            upsert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = groupId });
            upsert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = nodeId });
            upsert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = snapshot.Index });
            upsert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = snapshot.Term });
            upsert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = snapshot.Configuration.Encode() });
            if (await upsert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return false;
            }
        }

        var count = (int)((snapshot.Data.Length + SnapshotChunkBytes - 1) / SnapshotChunkBytes);
        var sequence = new int[count];
        var chunks = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            sequence[i] = i;
            chunks[i] = snapshot.Data.Slice(i * SnapshotChunkBytes, Math.Min(SnapshotChunkBytes, snapshot.Data.Length - (i * SnapshotChunkBytes)));
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(KeyedCommand(DeleteSnapshotChunksSql));
        var insert = KeyedCommand(InsertSnapshotChunksSql);
        insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = sequence });
        insert.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>[]> { TypedValue = chunks, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        batch.BatchCommands.Add(insert);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private NpgsqlBatchCommand InsertCommand(IReadOnlyList<LogEntry> entries)
    {
        var indexes = new long[entries.Count];
        var terms = new long[entries.Count];
        var kinds = new short[entries.Count];
        var payloads = new ReadOnlyMemory<byte>[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            indexes[i] = entry.Index;
            terms[i] = entry.Term;
            kinds[i] = (short)entry.Kind;
            payloads[i] = entry.Data;
        }

        var insert = KeyedCommand(InsertSql);
        insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = indexes });
        insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = terms });
        insert.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = kinds });
        insert.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>[]> { TypedValue = payloads, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        return insert;
    }

    private NpgsqlBatchCommand KeyedCommand(string sql)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = groupId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = nodeId });
        return command;
    }

    private async Task RollbackQuietlyAsync(NpgsqlConnection connection)
    {
        if (connection.State != ConnectionState.Open)
        {
            return; // a broken connection took its transaction with it
        }

        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            logger.LogWarning(e, "group {GroupId} node {NodeId}: rollback after a failed save failed", groupId, nodeId);
        }
    }
}
