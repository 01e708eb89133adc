using System.Diagnostics;
using OrleansRaft.Bench.Cli;
using OrleansRaft.Bench.Cluster;
using OrleansRaft.Bench.Measurement;
using OrleansRaft.Bench.Progress;
using OrleansRaft.Bench.Reporting;
using OrleansRaft.Grains.Storage;
using OrleansRaft.Raft;

namespace OrleansRaft.Bench.Experiments;

/// <summary>
/// <see cref="PostgresLogStore.SaveAsync"/> throughput against the scripts/pg server: one writer saving batches
/// of B entries plus the hard state, as a leader's turn does, with synchronous commit on and off; then how long
/// loading a log of N entries takes. Each row uses its own (group, node) in a fresh database.
/// </summary>
public sealed class StoreExperiment : IExperiment
{
    public string Name => "store";

    public string Summary => "PostgresLogStore.SaveAsync throughput by batch size, sync on and off, and the load time of a long log.";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("batches", "1,10,100,1000", "Entries per SaveAsync, comma-separated."),
        new("seconds", "3", "Measured seconds per row (after 20 warm-up saves)."),
        new("payload-bytes", "100", "Bytes of each entry's payload."),
        new("load-entries", "100000", "Entries in the log whose load is timed (0 skips it)."),
        new("keep-db", "false", "Keep the database after the run.", IsFlag: true),
    ];

    public async Task<int> RunAsync(ExperimentContext context)
    {
        var arguments = context.Arguments;
        var batches = arguments.Ints("batches", [1, 10, 100, 1000], min: 1);
        var seconds = arguments.Double("seconds", 3, min: 0.1);
        var payloadBytes = arguments.Int("payload-bytes", 100, min: 0);
        var loadEntries = arguments.Int("load-entries", 100_000, min: 0);
        var token = context.Cancellation;

        var report = context.Report;
        report.Line("## store: PostgresLogStore.SaveAsync");
        report.Line();
        report.Line($"Machine: {MachineInfo.Describe()}");
        report.Line($"Load average before: {MachineInfo.LoadAverage()}");
        report.Line($"One writer, {payloadBytes}-byte payloads, hard state with every save, {Format.Fixed(seconds, 1)} s per row; latency is per SaveAsync.");
        report.Line();

        await using var database = await PostgresDatabase.CreateAsync("bench_store", arguments.Flag("keep-db"), context.Log, token);
        var table = new MarkdownTable("batch", "sync", "tx/s", "entries/s", "MB/s", "mean ms", "p50 ms", "p99 ms", "max ms");
        long group = 1;
        foreach (var sync in new[] { true, false })
        {
            foreach (var batch in batches)
            {
                var row = await MeasureAsync(database.ConnectionString, group++, batch, sync, payloadBytes, TimeSpan.FromSeconds(seconds), token);
                var rate = row.Latency.Count / row.Elapsed.TotalSeconds;
                table.Add(
                    Format.Count(batch),
                    sync ? "on" : "off",
                    Format.Count(rate),
                    Format.Count(rate * batch),
                    Format.Fixed(rate * batch * payloadBytes / 1e6, 1),
                    Format.Ms(row.Latency.Mean),
                    Format.Ms(row.Latency.Percentile(50)),
                    Format.Ms(row.Latency.Percentile(99)),
                    Format.Ms(row.Latency.Max));
            }
        }

        report.Table(table);
        if (loadEntries > 0)
        {
            var (first, second) = await MeasureLoadAsync(database.ConnectionString, group, loadEntries, payloadBytes, token);
            report.Line($"Load of {Format.Count(loadEntries)} entries ({Format.Fixed(loadEntries * (double)payloadBytes / 1e6, 1)} MB of payload): first open {Format.Count(first.TotalMilliseconds)} ms, second open {Format.Count(second.TotalMilliseconds)} ms ({Format.Count(loadEntries / second.TotalSeconds)} entries/s).");
        }

        report.Line($"Load average after: {MachineInfo.LoadAverage()}");
        return 0;
    }

    private static async Task<(LatencyHistogram Latency, TimeSpan Elapsed)> MeasureAsync(
        string connectionString, long group, int batch, bool sync, int payloadBytes, TimeSpan duration, CancellationToken token)
    {
        await using var store = new PostgresLogStore(connectionString, group, 1);
        await store.LoadAsync(token);
        var payload = new byte[payloadBytes];
        Random.Shared.NextBytes(payload);
        var entries = new LogEntry[batch];
        long next = 1;
        async Task SaveOneAsync()
        {
            for (var i = 0; i < batch; i++)
            {
                entries[i] = new LogEntry(next + i, 1, EntryKind.Command, payload);
            }

            next += batch;
            await store.SaveAsync(new HardState(1, 1, next - 1), entries, sync, token);
        }

        for (var i = 0; i < 20; i++)
        {
            await SaveOneAsync(); // warm the pool, the prepared statements and the JIT
        }

        var latency = new LatencyHistogram();
        var clock = Stopwatch.StartNew();
        await using (new ProgressTicker($"store batch {batch} sync {(sync ? "on" : "off")}", elapsed => $"{elapsed.TotalSeconds:F0}/{duration.TotalSeconds:F0} s, {latency.Count:N0} saves"))
        {
            while (clock.Elapsed < duration)
            {
                var began = Stopwatch.GetTimestamp();
                await SaveOneAsync();
                latency.Record((long)Stopwatch.GetElapsedTime(began).TotalMicroseconds);
            }
        }

        return (latency, clock.Elapsed);
    }

    private static async Task<(TimeSpan First, TimeSpan Second)> MeasureLoadAsync(string connectionString, long group, int count, int payloadBytes, CancellationToken token)
    {
        var payload = new byte[payloadBytes];
        await using (var store = new PostgresLogStore(connectionString, group, 1))
        await using (new ProgressTicker("store load", _ => $"writing {count:N0} entries"))
        {
            await store.LoadAsync(token);
            const int Chunk = 10_000;
            for (long first = 1; first <= count; first += Chunk)
            {
                var entries = Enumerable.Range(0, (int)Math.Min(Chunk, count - first + 1)).Select(i => new LogEntry(first + i, 1, EntryKind.Command, payload)).ToArray();
                await store.SaveAsync(null, entries, true, token);
            }
        }

        async Task<TimeSpan> LoadOnceAsync()
        {
            await using var reopened = new PostgresLogStore(connectionString, group, 1);
            var clock = Stopwatch.StartNew();
            var log = await reopened.LoadAsync(token);
            if (log.LastIndex != count)
            {
                throw new InvalidOperationException($"loaded {log.LastIndex} entries, wrote {count}");
            }

            return clock.Elapsed;
        }

        return (await LoadOnceAsync(), await LoadOnceAsync());
    }
}
