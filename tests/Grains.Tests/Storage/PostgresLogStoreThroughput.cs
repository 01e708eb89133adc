using System.Diagnostics;
using System.Globalization;
using OrleansRaft.Grains.Storage;
using OrleansRaft.Grains.Tests.Postgres;
using OrleansRaft.Raft;
using Xunit.Abstractions;

namespace OrleansRaft.Grains.Tests.Storage;

/// <summary>
/// SaveAsync throughput against the scripts/pg server, printed, never asserted. Run with
/// <c>ORLEANSRAFT_BENCH=1 dotnet test tests/Grains.Tests -c Release --filter PostgresLogStoreThroughput --logger "console;verbosity=detailed"</c>.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLogStoreThroughput(PostgresServer server, ITestOutputHelper output)
{
    private const int PayloadBytes = 100;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(3);

    [BenchmarkFact]
    public async Task SaveAsyncThroughput()
    {
        var connectionString = await server.DatabaseForAsync(GetType());
        output.WriteLine($"{PayloadBytes}-byte payloads, {Duration.TotalSeconds} s per row, one writer, hard state with every save");
        output.WriteLine($"{"batch",6} {"sync",5} {"tx/s",10} {"entries/s",12} {"ms/tx",8}");
        long group = 1;
        foreach (var sync in new[] { true, false })
        {
            foreach (var batch in new[] { 1, 10, 100, 1000 })
            {
                await MeasureAsync(connectionString, group++, batch, sync);
            }
        }

        await MeasureLoadAsync(connectionString, group, 100_000);
    }

    private async Task MeasureAsync(string connectionString, long group, int batch, bool sync)
    {
        await using var store = new PostgresLogStore(connectionString, group, 1);
        await store.LoadAsync(default);
        var payload = new byte[PayloadBytes];
        long next = 1;
        async Task SaveOneAsync()
        {
            var entries = new LogEntry[batch];
            for (var i = 0; i < batch; i++)
            {
                entries[i] = new LogEntry(next + i, 1, EntryKind.Command, payload);
            }

            next += batch;
            await store.SaveAsync(new HardState(1, 1, next - 1), entries, sync, default);
        }

        for (var i = 0; i < 20; i++)
        {
            await SaveOneAsync(); // warm the pool and the prepared statements
        }

        var transactions = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Duration)
        {
            await SaveOneAsync();
            transactions++;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{batch,6} {sync,5} {transactions / seconds,10:F0} {transactions * batch / seconds,12:F0} {seconds * 1000 / transactions,8:F2}"));
    }

    private async Task MeasureLoadAsync(string connectionString, long group, int count)
    {
        await using var store = new PostgresLogStore(connectionString, group, 1);
        await store.LoadAsync(default);
        var payload = new byte[PayloadBytes];
        for (long first = 1; first <= count; first += 10_000)
        {
            var entries = Enumerable.Range(0, 10_000).Select(i => new LogEntry(first + i, 1, EntryKind.Command, payload)).ToArray();
            await store.SaveAsync(null, entries, true, default);
        }

        await using var reopened = new PostgresLogStore(connectionString, group, 1);
        var clock = Stopwatch.StartNew();
        var log = await reopened.LoadAsync(default);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load of {log.LastIndex} entries: {clock.ElapsedMilliseconds} ms"));
    }
}
