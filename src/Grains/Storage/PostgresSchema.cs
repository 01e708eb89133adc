using Npgsql;

namespace OrleansRaft.Grains.Storage;

/// <summary>
/// The log store's tables and their versioned migrations. Each migration runs once per database, recorded in
/// <c>raft_schema_version</c>; silos starting together serialize on an advisory lock.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>Arbitrary but fixed: every silo must take the same advisory lock ("ORRAFTSC").</summary>
    private const long MigrationLockKey = 0x4F52_5241_4654_5343;

    // Index i holds migration version i + 1. Append only: a released migration never changes.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE raft_log (
            group_id bigint NOT NULL,
            node_id bigint NOT NULL,
            idx bigint NOT NULL,
            term bigint NOT NULL,
            kind smallint NOT NULL,
            payload bytea NOT NULL,
            PRIMARY KEY (group_id, node_id, idx));
        CREATE TABLE raft_state (
            group_id bigint NOT NULL,
            node_id bigint NOT NULL,
            term bigint NOT NULL,
            voted_for bigint NOT NULL,
            commit bigint NOT NULL,
            PRIMARY KEY (group_id, node_id));
        CREATE TABLE raft_snapshot (
            group_id bigint NOT NULL,
            node_id bigint NOT NULL,
            last_idx bigint NOT NULL,
            last_term bigint NOT NULL,
            config bytea NOT NULL,
            data bytea NOT NULL,
            PRIMARY KEY (group_id, node_id));
        """,
        // A snapshot's data in 1 MiB rows: a bytea is read and written whole, so one big value would cost one
        // allocation of its full size on both ends.
        """
        ALTER TABLE raft_snapshot DROP COLUMN data;
        CREATE TABLE raft_snapshot_chunk (
            group_id bigint NOT NULL,
            node_id bigint NOT NULL,
            seq integer NOT NULL,
            data bytea NOT NULL,
            PRIMARY KEY (group_id, node_id, seq));
        """,
    ];

    public static int CurrentVersion => Migrations.Length;

    /// <summary>Brings the database to <see cref="CurrentVersion"/>; returns how many migrations it applied.</summary>
    public static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // The lock comes first: CREATE TABLE IF NOT EXISTS alone races between concurrent sessions.
        await using (var command = new NpgsqlCommand(
            $"""
            SELECT pg_advisory_xact_lock({MigrationLockKey});
            CREATE TABLE IF NOT EXISTS raft_schema_version (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now());
            """,
            connection,
            transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        int stored;
        await using (var command = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM raft_schema_version", connection, transaction))
        {
            stored = (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        if (stored > CurrentVersion)
        {
            throw new InvalidOperationException(
                $"database schema version {stored} is newer than this build's {CurrentVersion}; upgrade the silo");
        }

        for (var version = stored + 1; version <= CurrentVersion; version++)
        {
            await using var command = new NpgsqlCommand(
                Migrations[version - 1] + "\nINSERT INTO raft_schema_version (version) VALUES (@version);",
                connection,
                transaction);
            command.Parameters.AddWithValue("version", version);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return CurrentVersion - stored;
    }
}
