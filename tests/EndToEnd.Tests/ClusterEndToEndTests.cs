using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using OrleansRaft.Testing.Processes;
using Xunit.Abstractions;

namespace OrleansRaft.EndToEnd.Tests;

/// <summary>
/// The real thing, started the way a user starts it: <c>scripts/cluster up</c> (PostgreSQL, three silo processes,
/// the gateway) in its own folder and on free ports, so it never meets a cluster the user runs. Writes and reads go
/// through the gateway's REST API over HTTP/1.1; the leader is SIGKILLed while writes run, the writes go on under
/// the next leader, the old leader restarts and catches up, and every acknowledged write reads back.
/// <c>scripts/cluster down</c> runs whatever happens, and no process of the cluster may outlive it.
/// </summary>
public sealed class ClusterEndToEndTests : IAsyncLifetime
{
    private const int Nodes = 3;
    private const int Workers = 4;
    private const int WritesBeforeKill = 200;
    private const int WritesAroundKill = 200;
    private const int KillAfterAcks = 40;
    private const int WritesAfterRestart = 60;

    private static readonly TimeSpan UpTimeout = TimeSpan.FromMinutes(10); // a first run builds, may install PostgreSQL
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan DownTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan RequestDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LeaderTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly ITestOutputHelper output;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly string run = Guid.NewGuid().ToString("N")[..8];
    private readonly ClusterScript script;
    private readonly GatewayClient gateway;

    // Every acknowledged write: key → the value it must read back, null when deleted.
    private readonly ConcurrentDictionary<string, byte[]?> expected = new();
    private int acks;
    private bool passed;
    private bool cleanedUp;

    public ClusterEndToEndTests(ITestOutputHelper output)
    {
        this.output = output;
        var root = ProcessLogFolder.RepositoryRoot();
        var firstPort = FreeTcpPorts.PickBlock(Nodes + 1);
        script = new ClusterScript(root, Path.Combine(root, ".data", $"e2e-{run}"), gatewayPort: firstPort + Nodes, siloBasePort: firstPort, Log);
        gateway = new GatewayClient(script.Gateway);
    }

    public async Task InitializeAsync()
    {
        Log($"cluster folder {script.Directory}; silos on ports {script.SiloBasePort}..{script.SiloBasePort + Nodes - 1}, gateway {script.Gateway}");
        try
        {
            var up = await script.RunCheckedAsync(UpTimeout, "up", "--nodes", Nodes.ToString(CultureInfo.InvariantCulture));
            Log($"scripts/cluster up printed:\n{up.Stdout.TrimEnd()}\n{up.Stderr.TrimEnd()}");
        }
        catch
        {
            await CleanUpAsync();
            throw;
        }
    }

    public Task DisposeAsync() => CleanUpAsync();

    [Fact]
    public async Task Writes_go_on_after_the_leader_is_killed_and_the_restarted_leader_catches_up()
    {
        var first = await WaitForLeaderAsync(excluding: null);
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

        var kill = await script.RunCheckedAsync(CommandTimeout, "kill", oldLeader.ToString(CultureInfo.InvariantCulture));
        Log($"{kill.Stdout.Trim()} at {acks} acks");
        var second = await WaitForLeaderAsync(excluding: oldLeader);
        Log($"new leader: node {second.Leader} at {acks} acks; {second}");
        await writers;
        Log($"phase b: {WritesAroundKill} writes acknowledged and read back across the election; retries {Retries()}");

        // 3. The old leader comes back on its stored state and catches up with writes it missed.
        var restart = await script.RunCheckedAsync(CommandTimeout, "restart", oldLeader.ToString(CultureInfo.InvariantCulture));
        Log(restart.Stdout.Trim());
        await RunWritersAsync("c", WritesAfterRestart);
        Log($"phase c: {WritesAfterRestart} writes after the restart; {acks} acks in all");
        var caughtUp = await WaitCaughtUpAsync(oldLeader);
        Log($"node {oldLeader} caught up: {caughtUp}");

        // 4. Every acknowledged write reads back, deletes included.
        await VerifyAllAsync();
        var status = await script.RunAsync(CommandTimeout, "status");
        Log($"scripts/cluster status:\n{status.Stdout.TrimEnd()}");
        Assert.Equal(0, status.ExitCode);
        passed = true;
        Log($"passed in {clock.Elapsed.TotalSeconds:0.0} s");
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

    /// <summary>Polls <c>/v1/cluster</c> until a leader other than <paramref name="excluding"/> says it leads.</summary>
    private async Task<ClusterView> WaitForLeaderAsync(long? excluding)
    {
        var seen = "no answer";
        var found = await PollAsync(
            async () =>
            {
                var view = await gateway.TryClusterAsync();
                seen = view?.ToString() ?? "no answer from /v1/cluster";
                return view is { Leader: { } leader } && leader != excluding && view.Nodes.Any(n => n.Id == leader && n.Role == "leader") ? view : null;
            },
            LeaderTimeout);
        return found ?? throw new TimeoutException($"no leader{(excluding is null ? string.Empty : $" other than node {excluding}")} within {LeaderTimeout.TotalSeconds:0} s; last seen: {seen}");
    }

    /// <summary>
    /// Polls until <paramref name="node"/> is reachable and has applied the leader's commit index as it was when
    /// the writes ended.
    /// </summary>
    private async Task<ClusterView> WaitCaughtUpAsync(long node)
    {
        var seen = "no answer";
        long? target = null;
        var found = await PollAsync(
            async () =>
            {
                var view = await gateway.TryClusterAsync();
                seen = view?.ToString() ?? "no answer from /v1/cluster";
                if (view is not { Leader: { } leader })
                {
                    return null;
                }

                target ??= view.Node(leader).CommitIndex;
                var restarted = view.Node(node);
                return restarted.Reachable && restarted.AppliedIndex >= target ? view : null;
            },
            CatchUpTimeout);
        return found ?? throw new TimeoutException($"node {node} did not apply the leader's commit index {target} within {CatchUpTimeout.TotalSeconds:0} s; last seen: {seen}");
    }

    private async Task CleanUpAsync()
    {
        if (cleanedUp)
        {
            return;
        }

        cleanedUp = true;
        gateway.Dispose();
        var recorded = ClusterProcesses.Recorded(script.Directory);
        if (!passed)
        {
            LogTails();
        }

        var down = await script.RunAsync(DownTimeout, "down");
        Log($"scripts/cluster down: {down.Stdout.Trim()} {down.Stderr.Trim()}");

        var left = await PollAsync(
            () =>
            {
                var alive = recorded.Where(ClusterProcesses.IsAlive).Union(ClusterProcesses.Marked(script.Directory)).ToList();
                return Task.FromResult<List<int>?>(alive.Count == 0 ? null : alive);
            },
            ExitTimeout,
            untilNull: true);
        var problems = new List<string>();
        if (!down.Succeeded)
        {
            problems.Add(down.ToString());
        }

        if (left is { Count: > 0 })
        {
            problems.Add($"processes left after scripts/cluster down: {string.Join("; ", left.Select(ClusterProcesses.Describe))}");
        }
        else
        {
            Log($"no process left of the {recorded.Count} the cluster recorded (silos, gateway, postmaster)");
        }

        if (passed && problems.Count == 0)
        {
            await script.RunCheckedAsync(CommandTimeout, "clean");
        }
        else
        {
            Log($"kept {script.Directory} for its logs");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join("\n", problems));
        }
    }

    private void LogTails()
    {
        foreach (var file in Directory.Exists(script.Directory) ? Directory.GetFiles(script.Directory, "*.log").Order() : Enumerable.Empty<string>())
        {
            Log($"---- {file} (last 30 lines)\n{string.Join('\n', File.ReadLines(file).TakeLast(30))}");
        }
    }

    private string Retries() =>
        gateway.Retries.Count == 0 ? "none" : string.Join(", ", gateway.Retries.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"));

    /// <summary>Repeats <paramref name="attempt"/> until it returns non-null (or null, with <paramref name="untilNull"/>) or time is up.</summary>
    private static async Task<T?> PollAsync<T>(Func<Task<T?>> attempt, TimeSpan timeout, bool untilNull = false)
        where T : class
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            var result = await attempt();
            if ((result is null) == untilNull || started.Elapsed > timeout)
            {
                return result;
            }

            await Task.Delay(PollInterval);
        }
    }

    private void Log(string line)
    {
        try
        {
            output.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.00}s] {line}");
        }
        catch (InvalidOperationException)
        {
            // No test is running any more (output after the end); nothing to report to.
        }
    }
}
