using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Xunit.Abstractions;

namespace OrleansRaft.EndToEnd.Tests;

/// <summary>
/// The real thing, started the way a user starts it (<see cref="ScriptedCluster"/>: <c>scripts/cluster up</c> in its
/// own folder and on free ports). Writes and reads go through the gateway's REST API over HTTP/1.1; the leader is
/// SIGKILLed while writes run, the writes go on under the next leader, the old leader restarts and catches up, and
/// every acknowledged write reads back. <c>scripts/cluster down</c> runs whatever happens, and no process of the
/// cluster may outlive it.
/// </summary>
public sealed class ClusterEndToEndTests : IAsyncLifetime
{
    private const int Nodes = 3;
    private const int Workers = 4;
    private const int WritesBeforeKill = 200;
    private const int WritesAroundKill = 200;
    private const int KillAfterAcks = 40;
    private const int WritesAfterRestart = 60;

    private static readonly TimeSpan RequestDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LeaderTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(60);

    private readonly string run = Guid.NewGuid().ToString("N")[..8];
    private readonly ScriptedCluster cluster;
    private readonly GatewayClient gateway;

    // Every acknowledged write: key → the value it must read back, null when deleted.
    private readonly ConcurrentDictionary<string, byte[]?> expected = new();
    private int acks;

    public ClusterEndToEndTests(ITestOutputHelper output)
    {
        cluster = new ScriptedCluster(output, "e2e", Nodes);
        gateway = cluster.Gateway;
    }

    public Task InitializeAsync() => cluster.UpAsync();

    public Task DisposeAsync() => cluster.DisposeAsync().AsTask();

    [Fact]
    public async Task Writes_go_on_after_the_leader_is_killed_and_the_restarted_leader_catches_up()
    {
        var first = await cluster.WaitForLeaderAsync(excluding: null, LeaderTimeout);
        var oldLeader = first.Leader!.Value;
        Log($"leader: node {oldLeader}; {first}");

        // 1. Writes, each read back at once (read-your-writes), a few appends and deletes.
        await RunWritersAsync("a", WritesBeforeKill);
        Log($"phase a: {WritesBeforeKill} writes acknowledged and read back; {acks} acks in all; retries {Retries()}");

        // 2. The leader is SIGKILLed while writes run; they go on, repeated with their Idempotency-Key.
        var killAt = acks + KillAfterAcks;
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writers = RunWritersAsync("b", WritesAroundKill, count =>
        {
            if (count >= killAt)
            {
                reached.TrySetResult();
            }
        });
        if (await Task.WhenAny(reached.Task, writers) == writers)
        {
            await writers;
            Assert.Fail("the writes ended before the leader was killed");
        }

        var kill = await cluster.RunCheckedAsync("kill", oldLeader.ToString(CultureInfo.InvariantCulture));
        Log($"{kill.Stdout.Trim()} at {acks} acks");
        var second = await cluster.WaitForLeaderAsync(excluding: oldLeader, LeaderTimeout);
        Log($"new leader: node {second.Leader} at {acks} acks; {second}");
        await writers;
        Log($"phase b: {WritesAroundKill} writes acknowledged and read back across the election; retries {Retries()}");

        // 3. The old leader comes back on its stored state and catches up with writes it missed.
        var restart = await cluster.RunCheckedAsync("restart", oldLeader.ToString(CultureInfo.InvariantCulture));
        Log(restart.Stdout.Trim());
        await RunWritersAsync("c", WritesAfterRestart);
        Log($"phase c: {WritesAfterRestart} writes after the restart; {acks} acks in all");
        var caughtUp = await cluster.WaitCaughtUpAsync(oldLeader, CatchUpTimeout);
        Log($"node {oldLeader} caught up: {caughtUp}");

        // 4. Every acknowledged write reads back, deletes included.
        await VerifyAllAsync();
        var status = await cluster.Script.RunAsync(ScriptedCluster.CommandTimeout, "status");
        Log($"scripts/cluster status:\n{status.Stdout.TrimEnd()}");
        Assert.Equal(0, status.ExitCode);
        cluster.Passed = true;
        Log($"passed in {cluster.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>
    /// <paramref name="count"/> writes split over <see cref="Workers"/> sequential clients. Each puts a fresh key
    /// and reads it back; every 10th also appends to the client's own log key, every 25th deletes an earlier key.
    /// </summary>
    private Task RunWritersAsync(string phase, int count, Action<int>? acked = null) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(HashCode.Combine(run, phase, worker));
            var logKey = $"e2e-{run}-log-{worker}";
            var mine = new List<string>();
            for (var i = worker; i < count; i += Workers)
            {
                // Some keys hold '/', sent as %2F.
                var key = i % 50 == 7 ? $"e2e/{run}/{phase}/{i}" : $"e2e-{run}-{phase}-{i}";
                var value = new byte[random.Next(1, 300)];
                random.NextBytes(value);
                var put = await gateway.PutAsync(key, value, $"{run}-{phase}-{i}-put", RequestDeadline);
                AssertStatus(HttpStatusCode.OK, put, $"PUT {key}");
                Assert.True(GatewayClient.WriteResult(put).GetProperty("index").GetInt64() > 0, $"PUT {key}: {put.Text}");
                expected[key] = value;
                mine.Add(key);
                Acked(acked);
                await AssertReadsAsync(key, value);

                if (i % 10 == 0)
                {
                    var suffix = Encoding.UTF8.GetBytes($"[{phase}{i}]");
                    var append = await gateway.AppendAsync(logKey, suffix, $"{run}-{phase}-{i}-append", RequestDeadline);
                    AssertStatus(HttpStatusCode.OK, append, $"POST {logKey}/append");
                    byte[] whole = [.. expected.GetValueOrDefault(logKey) ?? [], .. suffix];
                    // A retried append that applied twice would show here as a longer value.
                    Assert.Equal(whole.Length, GatewayClient.WriteResult(append).GetProperty("length").GetInt64());
                    expected[logKey] = whole;
                    Acked(acked);
                    await AssertReadsAsync(logKey, whole);
                }

                if (i % 25 == 0 && mine.Count > 1)
                {
                    var victim = mine[random.Next(mine.Count - 1)];
                    mine.Remove(victim);
                    var delete = await gateway.DeleteAsync(victim, $"{run}-{phase}-{i}-delete", RequestDeadline);
                    AssertStatus(HttpStatusCode.OK, delete, $"DELETE {victim}");
                    Assert.True(GatewayClient.WriteResult(delete).GetProperty("deleted").GetBoolean(), $"DELETE {victim}: {delete.Text}");
                    expected[victim] = null;
                    Acked(acked);
                    await AssertReadsAsync(victim, null);
                }
            }
        })));

    private void Acked(Action<int>? acked)
    {
        var count = Interlocked.Increment(ref acks);
        acked?.Invoke(count);
    }

    private async Task AssertReadsAsync(string key, byte[]? value)
    {
        var read = await gateway.GetAsync(key, RequestDeadline);
        if (value is null)
        {
            AssertStatus(HttpStatusCode.NotFound, read, $"GET {key} (deleted)");
        }
        else
        {
            AssertStatus(HttpStatusCode.OK, read, $"GET {key}");
            Assert.True(value.AsSpan().SequenceEqual(read.Body), $"GET {key} returned {read.Body.Length} bytes that differ from the {value.Length} written");
        }
    }

    private static void AssertStatus(HttpStatusCode status, GatewayReply reply, string what) =>
        Assert.True(reply.Status == status, $"{what}: expected {(int)status}, got {(int)reply.Status} {reply.Text}");

    private async Task VerifyAllAsync()
    {
        var all = expected.ToList();
        foreach (var batch in all.Chunk(Workers * 4))
        {
            await Task.WhenAll(batch.Select(p => AssertReadsAsync(p.Key, p.Value)));
        }

        Log($"all {all.Count} keys read back as acknowledged ({all.Count(p => p.Value is null)} deleted); retries {Retries()}");
    }

    private string Retries() =>
        gateway.Retries.Count == 0 ? "none" : string.Join(", ", gateway.Retries.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"));

    private void Log(string line) => cluster.Log(line);
}
