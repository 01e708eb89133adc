using Npgsql;
using OrleansRaft.Grains.Storage;
using OrleansRaft.Grains.Tests.Postgres;
using OrleansRaft.Raft;

namespace OrleansRaft.Grains.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaTests(PostgresServer server)
{
    [Fact]
    public async Task StoresStartingTogetherOnAFreshDatabaseMigrateItOnce()
    {
        var connectionString = await server.CreateDatabaseAsync();
        var stores = Enumerable.Range(1, 8).Select(node => new PostgresLogStore(connectionString, 1, node)).ToArray();
        try
        {
            await Task.WhenAll(stores.Select(store => store.LoadAsync(default).AsTask()));
            await Task.WhenAll(stores.Select(store => store.SaveAsync(new HardState(1, 1, 0), [new LogEntry(1, 1, EntryKind.NoOp, default)], true, default).AsTask()));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }

        Assert.Equal(Enumerable.Range(1, PostgresSchema.CurrentVersion), await VersionsAsync(connectionString));
        Assert.Equal(8L, await ScalarAsync(connectionString, "SELECT count(*) FROM raft_log"));
        Assert.True(await ScalarAsync(connectionString, "SELECT count(*) FROM pg_tables WHERE tablename = 'raft_snapshot'") == 1);
    }

    [Fact]
    public async Task LoadingTwiceMigratesNothingTheSecondTime()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await using var store = new PostgresLogStore(connectionString, 1, 1);

        await store.LoadAsync(default);
        await store.SaveAsync(null, [new LogEntry(1, 1, EntryKind.NoOp, default)], true, default);
        var log = await store.LoadAsync(default);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var applied = await PostgresSchema.MigrateAsync(dataSource, default);

        Assert.Equal(1, log.LastIndex);
        Assert.Equal(0, applied);
        Assert.Equal(Enumerable.Range(1, PostgresSchema.CurrentVersion), await VersionsAsync(connectionString));
    }

    private static async Task<List<int>> VersionsAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("SELECT version FROM raft_schema_version ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<int>();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
