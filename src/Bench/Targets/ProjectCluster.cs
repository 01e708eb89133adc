using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using OrleansRaft.Bench.Cluster;
using OrleansRaft.Bench.Progress;
using OrleansRaft.Grains.Client;

namespace OrleansRaft.Bench.Targets;

/// <summary>
/// This project's cluster as users run it: <c>scripts/cluster up</c> with CLUSTER_DIR in the results folder, free
/// ports, a fresh database on the scripts/pg server, silos plus the REST gateway (HTTP/1.1, and an h2c port).
/// Faults go through <c>scripts/cluster kill/restart</c>; Raft state is read from each silo's status endpoint.
/// Disposing runs <c>scripts/cluster down</c>, keeps the logs and drops the database.
/// </summary>
public sealed class ProjectCluster : IFaultableSystem
{
    private readonly ProjectClusterOptions options;
    private readonly Dictionary<string, string> environment;
    private readonly PostgresDatabase database;
    private readonly TextWriter log;
    private readonly HttpClient statusClient;
    private readonly int siloBasePort;
    private readonly int gatewayPort;
    private readonly int h2Port;
    private bool down;

    private ProjectCluster(ProjectClusterOptions options, PostgresDatabase database, TextWriter log, int siloBasePort)
    {
        this.options = options;
        this.database = database;
        this.log = log;
        this.siloBasePort = siloBasePort;
        gatewayPort = siloBasePort + options.Nodes;
        h2Port = gatewayPort + 1;
        environment = new Dictionary<string, string>
        {
            ["CLUSTER_DIR"] = options.Directory,
            ["SILO_BASE_PORT"] = siloBasePort.ToString(CultureInfo.InvariantCulture),
            ["GATEWAY_PORT"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["ORLEANSRAFT_PG"] = database.ConnectionString,
            ["STOP_TIMEOUT"] = "10",
        };
        statusClient = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(1) })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public string Name => options.Name;

    public string Description =>
        $"OrleansRaft, {options.Nodes} silo{(options.Nodes == 1 ? "" : "s")} on PostgreSQL (synchronous commit) behind the REST gateway, via scripts/cluster (CLUSTER_DIR={RepositoryPaths.Display(options.Directory)}){(options.SiloArguments.Length > 0 ? $", silo args \"{options.SiloArguments}\"" : "")}";

    public int Nodes => options.Nodes;

    public bool SupportsHttp2 => true;

    public string Directory => options.Directory;

    public static async Task<ProjectCluster> StartAsync(ProjectClusterOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(options.Directory);
        var database = await PostgresDatabase.CreateAsync("bench_" + options.Name, keep: false, log, cancellationToken);
        var cluster = new ProjectCluster(options, database, log, FreePorts.Range(options.Nodes + 2));
        try
        {
            await log.WriteLineAsync($"bench: scripts/cluster up --nodes {options.Nodes} in {options.Directory} (if the bench is killed: CLUSTER_DIR={options.Directory} scripts/cluster down)");
            List<string> arguments = ["up", "--nodes", options.Nodes.ToString(CultureInfo.InvariantCulture), "--gateway-args", $"--h2-urls http://127.0.0.1:{cluster.h2Port}"];
            if (options.SiloArguments.Length > 0)
            {
                arguments.AddRange(["--silo-args", options.SiloArguments]);
            }

            int exit;
            string output;
            await using (new ProgressTicker($"{options.Name} ×{options.Nodes}: scripts/cluster up", elapsed => $"{elapsed.TotalSeconds:F0} s (starts the silos and the gateway, waits for /readyz)"))
            {
                (exit, output) = await cluster.RunAsync(arguments, cancellationToken);
            }

            if (exit != 0)
            {
                throw new InvalidOperationException($"scripts/cluster up exited with {exit}:\n{Tail(output, 30)}");
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public Uri ClientAddress(Version version) => new($"http://127.0.0.1:{(version == HttpVersion.Version20 ? h2Port : gatewayPort)}");

    public Uri ProbeAddress(int down) => ClientAddress(HttpVersion.Version11);

    public IKvClient CreateClient(HttpClient http) => new GatewayKvClient(http);

    public async Task<NodeStatus?[]> StatusAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await Task.WhenAll(Enumerable.Range(1, options.Nodes).Select(node => SiloStatusAsync(node, timeout, cancellationToken)));

    public int? ProcessId(int node) => ReadPid(Path.Combine(options.Directory, $"node-{node}.pid"));

    /// <summary>Silos, the gateway and the scripts/pg server (its backends are its children), unless PostgreSQL is external.</summary>
    public IReadOnlyCollection<int> ProcessIds()
    {
        var files = Enumerable.Range(1, options.Nodes).Select(n => Path.Combine(options.Directory, $"node-{n}.pid")).Append(Path.Combine(options.Directory, "gateway.pid"));
        if (Environment.GetEnvironmentVariable("ORLEANSRAFT_PG") is not { Length: > 0 })
        {
            var pgDirectory = Environment.GetEnvironmentVariable("PG_DIR") is { Length: > 0 } dir ? dir : Path.Combine(RepositoryPaths.Root, ".data", "pg");
            files = files.Append(Path.Combine(pgDirectory, "data", "postmaster.pid"));
        }

        return [.. files.Select(ReadPid).OfType<int>()];
    }

    public async Task KillAsync(int node, CancellationToken cancellationToken)
    {
        var (exit, output) = await RunAsync(["kill", node.ToString(CultureInfo.InvariantCulture)], cancellationToken);
        if (exit != 0)
        {
            throw new InvalidOperationException($"scripts/cluster kill {node} exited with {exit}: {Tail(output, 5)}");
        }
    }

    public async Task RestartAsync(int node, CancellationToken cancellationToken)
    {
        var (exit, output) = await RunAsync(["restart", node.ToString(CultureInfo.InvariantCulture)], cancellationToken);
        if (exit != 0)
        {
            throw new InvalidOperationException($"scripts/cluster restart {node} exited with {exit}: {Tail(output, 10)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (down)
        {
            return;
        }

        down = true;
        int exit;
        string output;
        await using (new ProgressTicker($"{options.Name} ×{options.Nodes}: scripts/cluster down", elapsed => $"{elapsed.TotalSeconds:F0} s"))
        {
            (exit, output) = await RunAsync(["down"], CancellationToken.None);
        }

        if (exit != 0)
        {
            await log.WriteLineAsync($"bench: scripts/cluster down exited with {exit}: {Tail(output, 10)}");
        }

        statusClient.Dispose();
        await database.DisposeAsync();
    }

    private async Task<NodeStatus?> SiloStatusAsync(int node, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var url = $"http://127.0.0.1:{siloBasePort + node - 1}{ReplicaApi.Status(1)}";
            var status = await statusClient.GetFromJsonAsync(url, ReplicaJsonContext.Default.ReplicaStatus, deadline.Token);
            return status is null ? null : new NodeStatus(node, status.Role, status.Term, (int)status.Leader);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }
    }

    private Task<(int ExitCode, string Output)> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        ScriptRunner.RunAsync(RepositoryPaths.Script("cluster"), arguments, environment, Path.Combine(options.Directory, "bench-scripts.log"), cancellationToken);

    private static int? ReadPid(string path)
    {
        try
        {
            // A pid file, or postmaster.pid whose first line is the pid.
            var text = File.ReadLines(path).FirstOrDefault()?.Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));
}
