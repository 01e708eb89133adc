using System.Net;
using System.Net.Sockets;
using Npgsql;
using OrleansRaft.Grains.Storage;
using OrleansRaft.Grains.Tests.Postgres;
using OrleansRaft.Raft;

namespace OrleansRaft.Grains.Tests.Storage;

[Collection(PostgresCollection.Name)]
public sealed class PostgresLogStoreTests(PostgresServer server) : LogStoreContract
{
    private string connectionString = "";

    public override async Task InitializeAsync() => connectionString = await server.DatabaseForAsync(GetType());

    [Fact]
    public async Task SaveBeforeLoadIsRejected()
    {
        await using var store = new PostgresLogStore(connectionString, NewGroup(), 1);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.SaveAsync(null, Entries(1, 1, term: 1), true, default));
    }

    [Theory]
    [InlineData(5)] // one batched INSERT
    [InlineData(100)] // binary COPY
    public async Task FailedSaveWritesNothingAndTheNextSaveRecovers(int count)
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        // A row the store does not know about makes its insert hit the primary key half way.
        await ExecuteAsync($"INSERT INTO raft_log VALUES ({group}, 1, 3, 99, 0, '\\x')");

        await Assert.ThrowsAsync<PostgresException>(async () => await store.SaveAsync(new HardState(1, 1, 0), Entries(1, count, term: 1), true, default));

        Assert.Equal(0, await ScalarAsync($"SELECT count(*) FROM raft_state WHERE group_id = {group}"));
        Assert.Equal(99, await ScalarAsync($"SELECT sum(term) FROM raft_log WHERE group_id = {group}"));

        // The store no longer trusts its idea of the stored log, so the retry replaces what is there.
        await store.SaveAsync(new HardState(1, 1, 0), Entries(1, count, term: 1), true, default);
        var reopened = Track(new PostgresLogStore(connectionString, group, 1));
        var log = await reopened.LoadAsync(default);
        AssertLog(log, Entries(1, count, term: 1));
        Assert.Equal(new HardState(1, 1, 0), log.HardState);
    }

    [Fact]
    public async Task LoadRejectsALogWithAGap()
    {
        var group = NewGroup();
        var (store, _) = await OpenAsync(group, 1);
        await store.SaveAsync(null, Entries(1, 4, term: 1), true, default);
        await ExecuteAsync($"DELETE FROM raft_log WHERE group_id = {group} AND idx = 2");

        await Assert.ThrowsAsync<InvalidDataException>(async () => await store.LoadAsync(default));
    }

    [Fact]
    public async Task LoadFailsPromptlyWhenTheServerIsUnreachable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now

        await using var store = new PostgresLogStore($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=2", 1, 1);

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => store.LoadAsync(default).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    protected override ILogStore CreateStore(long groupId, long nodeId) => new PostgresLogStore(connectionString, groupId, nodeId);

    protected override async ValueTask<ILogStore> ReopenAsync(ILogStore store, long groupId, long nodeId)
    {
        await store.DisposeAsync();
        return new PostgresLogStore(connectionString, groupId, nodeId);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
