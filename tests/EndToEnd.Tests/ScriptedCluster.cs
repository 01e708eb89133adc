using System.Diagnostics;
using System.Globalization;
using OrleansRaft.Testing.Processes;
using Xunit.Abstractions;

namespace OrleansRaft.EndToEnd.Tests;

/// <summary>
/// One test's cluster, started the way a user starts it: <c>scripts/cluster up</c> (PostgreSQL, the silo processes,
/// the gateway) in its own folder under <c>.data/</c> and on free ports, so it never meets a cluster the user runs.
/// <see cref="DisposeAsync"/> runs <c>scripts/cluster down</c> whatever happened and fails if any process of the
/// cluster outlives it; the folder is deleted only after a test that set <see cref="Passed"/>, else kept for its logs.
/// </summary>
public sealed class ScriptedCluster : IAsyncDisposable
{
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan UpTimeout = TimeSpan.FromMinutes(10); // a first run builds, may install PostgreSQL
    private static readonly TimeSpan DownTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly ITestOutputHelper output;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private bool cleanedUp;

    /// <param name="name">Names the folder: <c>.data/{name}-{random}</c>.</param>
    /// <param name="attemptTimeout">The HTTP timeout of one request of <see cref="Gateway"/>.</param>
    /// <param name="spareSilos">Silos <c>scripts/cluster add</c> may start later (ids nodes+1 …): their ports are kept free of the gateway.</param>
    public ScriptedCluster(ITestOutputHelper output, string name, int nodes, TimeSpan? attemptTimeout = null, int spareSilos = 0)
    {
        this.output = output;
        Nodes = nodes;
        var root = ProcessLogFolder.RepositoryRoot();
        var silos = nodes + spareSilos;
        var firstPort = FreeTcpPorts.PickBlock(silos + 1);
        var folder = Path.Combine(root, ".data", $"{name}-{Guid.NewGuid().ToString("N")[..8]}");
        Script = new ClusterScript(root, folder, gatewayPort: firstPort + silos, siloBasePort: firstPort, Log);
        Gateway = attemptTimeout is { } timeout ? new GatewayClient(Script.Gateway, timeout) : new GatewayClient(Script.Gateway);
    }

    public int Nodes { get; }

    public ClusterScript Script { get; }

    public GatewayClient Gateway { get; }

    /// <summary>Time since this object was made; every <see cref="Log"/> line starts with it.</summary>
    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>Set by a test that passed: the cluster folder is deleted instead of kept for its logs.</summary>
    public bool Passed { get; set; }

    /// <summary><c>scripts/cluster up --nodes N [arguments]</c>; on failure the cluster is cleaned up before the exception leaves.</summary>
    public async Task UpAsync(params string[] arguments)
    {
        Log($"cluster folder {Script.Directory}; silos on ports {Script.SiloBasePort}..{Script.SiloBasePort + Nodes - 1}, gateway {Script.Gateway}");
        try
        {
            var up = await Script.RunCheckedAsync(UpTimeout, ["up", "--nodes", Nodes.ToString(CultureInfo.InvariantCulture), .. arguments]);
            Log($"scripts/cluster up printed:\n{up.Stdout.TrimEnd()}\n{up.Stderr.TrimEnd()}");
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary><c>scripts/cluster {arguments}</c> within <see cref="CommandTimeout"/>; throws unless it exits with 0.</summary>
    public Task<ScriptResult> RunCheckedAsync(params string[] arguments) => Script.RunCheckedAsync(CommandTimeout, arguments);

    /// <summary>Polls <c>/v1/cluster</c> until a leader other than <paramref name="excluding"/> says it leads.</summary>
    public async Task<ClusterView> WaitForLeaderAsync(long? excluding, TimeSpan timeout)
    {
        var seen = "no answer";
        var found = await PollAsync(
            async () =>
            {
                var view = await Gateway.TryClusterAsync();
                seen = view?.ToString() ?? "no answer from /v1/cluster";
                return view is { Leader: { } leader } && leader != excluding && view.Nodes.Any(n => n.Id == leader && n.Role == "leader") ? view : null;
            },
            timeout);
        return found ?? throw new TimeoutException($"no leader{(excluding is null ? string.Empty : $" other than node {excluding}")} within {timeout.TotalSeconds:0} s; last seen: {seen}");
    }

    /// <summary>Polls <c>/v1/cluster/members</c> until it answers 200 (a leader answered).</summary>
    public async Task<MembersView> MembersAsync(TimeSpan timeout)
    {
        var members = await PollAsync(() => Gateway.TryMembersAsync(), timeout);
        return members ?? throw new TimeoutException($"GET /v1/cluster/members did not answer 200 within {timeout.TotalSeconds:0} s");
    }

    /// <summary>The silos <c>scripts/cluster status</c> lists as running, in its order (ascending ids).</summary>
    public async Task<IReadOnlyList<long>> RunningSilosAsync()
    {
        var status = await Script.RunAsync(CommandTimeout, "status");
        return [.. status.Stdout.Split('\n')
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(words => words is ["silo", _, _, _, "running", ..])
            .Select(words => long.Parse(words[1], CultureInfo.InvariantCulture))];
    }

    /// <summary>
    /// Polls until <paramref name="node"/> is reachable and has applied the leader's commit index as it was at the
    /// first answer that named a leader. Call it when no writes run, or it chases a moving target only once.
    /// </summary>
    public async Task<ClusterView> WaitCaughtUpAsync(long node, TimeSpan timeout)
    {
        var seen = "no answer";
        long? target = null;
        var found = await PollAsync(
            async () =>
            {
                var view = await Gateway.TryClusterAsync();
                seen = view?.ToString() ?? "no answer from /v1/cluster";
                if (view is not { Leader: { } leader })
                {
                    return null;
                }

                target ??= view.Node(leader).CommitIndex;
                var caughtUp = view.Node(node);
                return caughtUp.Reachable && caughtUp.AppliedIndex >= target ? view : null;
            },
            timeout);
        return found ?? throw new TimeoutException($"node {node} did not apply the leader's commit index {target} within {timeout.TotalSeconds:0} s; last seen: {seen}");
    }

    /// <summary>Repeats <paramref name="attempt"/> until it returns non-null (or null, with <paramref name="untilNull"/>) or time is up.</summary>
    public static async Task<T?> PollAsync<T>(Func<Task<T?>> attempt, TimeSpan timeout, bool untilNull = false)
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

    public void Log(string line)
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

    /// <summary><c>scripts/cluster down</c>, then no process of the cluster may be left; deletes the folder after a pass.</summary>
    public async ValueTask DisposeAsync()
    {
        if (cleanedUp)
        {
            return;
        }

        cleanedUp = true;
        Gateway.Dispose();
        var recorded = ClusterProcesses.Recorded(Script.Directory);
        if (!Passed)
        {
            LogTails();
        }

        var down = await Script.RunAsync(DownTimeout, "down");
        Log($"scripts/cluster down: {down.Stdout.Trim()} {down.Stderr.Trim()}");

        var left = await PollAsync(
            () =>
            {
                var alive = recorded.Where(ClusterProcesses.IsAlive).Union(ClusterProcesses.Marked(Script.Directory)).ToList();
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

        if (Passed && problems.Count == 0)
        {
            await Script.RunCheckedAsync(CommandTimeout, "clean");
        }
        else
        {
            Log($"kept {Script.Directory} for its logs");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join("\n", problems));
        }
    }

    private void LogTails()
    {
        foreach (var file in Directory.Exists(Script.Directory) ? Directory.GetFiles(Script.Directory, "*.log").Order() : Enumerable.Empty<string>())
        {
            Log($"---- {file} (last 30 lines)\n{string.Join('\n', File.ReadLines(file).TakeLast(30))}");
        }
    }
}
