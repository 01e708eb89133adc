using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using OrleansRaft.Grains;

namespace OrleansRaft.Bench.Cluster;

/// <summary>
/// N real silo processes on loopback ports BasePort.., one Raft group, their output in silo-N.log. Disposing
/// stops every silo (SIGTERM, then SIGKILL after a grace period); <see cref="ChildProcesses"/> covers the
/// paths where disposal never runs.
/// </summary>
public sealed class SiloCluster : IAsyncDisposable
{
    private readonly SiloClusterOptions options;
    private readonly List<SiloNode> nodes = [];
    private readonly TextWriter log;

    private SiloCluster(SiloClusterOptions options, TextWriter log)
    {
        this.options = options;
        this.log = log;
    }

    public IReadOnlyList<SiloNode> Nodes => nodes;

    public SiloNode Node(long nodeId) => nodes[(int)nodeId - 1];

    /// <summary>Starts every silo; throws (after stopping those started) when one cannot start.</summary>
    public static async Task<SiloCluster> StartAsync(SiloClusterOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        if (!File.Exists(options.SiloDll))
        {
            throw new FileNotFoundException($"the silo is not built: {options.SiloDll} (scripts/bench builds it; or dotnet build src/Silo -c Release)");
        }

        Directory.CreateDirectory(options.LogDirectory);
        var addresses = Enumerable.Range(1, options.Nodes).ToDictionary(n => (long)n, n => new Uri($"http://127.0.0.1:{options.BasePort + n - 1}"));
        foreach (var address in addresses.Values)
        {
            if (await InUseAsync(address.Port, cancellationToken))
            {
                throw new InvalidOperationException($"port {address.Port} is in use (a silo left from an earlier run? see: ss -ltnp 'sport = :{address.Port}')");
            }
        }

        var peers = string.Join(',', addresses.Select(a => $"{a.Key}={a.Value.GetLeftPart(UriPartial.Authority)}"));
        var cluster = new SiloCluster(options, log);
        try
        {
            foreach (var (nodeId, address) in addresses)
            {
                cluster.nodes.Add(cluster.StartSilo(nodeId, address, peers, join: false));
            }

            await log.WriteLineAsync($"bench: started {options.Nodes} silos ({string.Join(", ", cluster.nodes.Select(n => $"{n.NodeId}: pid {n.ProcessId}"))}); logs in {options.LogDirectory}");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts silo <paramref name="nodeId"/> (above every member's id) with <c>--join</c>: no configuration of its own,
    /// an empty log (its rows are keyed by its node id), on port BasePort + nodeId - 1. It is not one of
    /// <see cref="Nodes"/>: the caller adds it through a membership change, and stops and disposes it.
    /// </summary>
    public async Task<SiloNode> StartJoinerAsync(long nodeId, CancellationToken cancellationToken)
    {
        if (nodeId <= nodes.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(nodeId), nodeId, $"node ids 1..{nodes.Count} are the cluster's own");
        }

        var address = new Uri($"http://127.0.0.1:{options.BasePort + nodeId - 1}");
        if (await InUseAsync(address.Port, cancellationToken))
        {
            throw new InvalidOperationException($"port {address.Port} for joining silo {nodeId} is in use (see: ss -ltnp 'sport = :{address.Port}')");
        }

        // Its own address and every member's: those it sends to before the leader's replicated addresses reach it.
        var peers = string.Join(',', nodes.Select(n => (n.NodeId, n.Address)).Append((nodeId, address)).Select(a => $"{a.Item1}={a.Item2.GetLeftPart(UriPartial.Authority)}"));
        var node = StartSilo(nodeId, address, peers, join: true);
        await log.WriteLineAsync($"bench: started joining silo {nodeId} (pid {node.ProcessId}); log {node.LogPath}");
        return node;
    }

    /// <summary>Polls every silo's status until one is leader and a majority names it; returns that status.</summary>
    public async Task<ReplicaStatus> WaitForLeaderAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (nodes.FirstOrDefault(n => n.HasExited) is { } dead)
            {
                throw new InvalidOperationException($"silo {dead.NodeId} exited with code {dead.ExitCode}; last lines of {dead.LogPath}:\n{dead.Tail(15)}");
            }

            var statuses = await Task.WhenAll(nodes.Select(n => TryStatusAsync(n.NodeId, TimeSpan.FromSeconds(1), cancellationToken)));
            if (statuses.FirstOrDefault(s => s is { Role: "leader" }) is { } leader
                && statuses.Count(s => s is not null && s.Leader == leader.NodeId && s.Term == leader.Term) > nodes.Count / 2)
            {
                return leader;
            }

            if (clock.Elapsed > options.LeaderTimeout)
            {
                var seen = string.Join("; ", statuses.Select((s, i) => s is null ? $"{i + 1}: no answer" : $"{i + 1}: {s.Role} term {s.Term} leader {s.Leader}"));
                throw new TimeoutException($"no leader within {options.LeaderTimeout.TotalSeconds} s ({seen}); logs in {options.LogDirectory}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>The silo's replica status, or null when it does not answer in time.</summary>
    public Task<ReplicaStatus?> TryStatusAsync(long nodeId, TimeSpan timeout, CancellationToken cancellationToken) =>
        TryStatusAsync(Node(nodeId), timeout, cancellationToken);

    /// <summary>The silo's replica status, or null when it does not answer in time.</summary>
    public static async Task<ReplicaStatus?> TryStatusAsync(SiloNode node, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await node.Client.Status(deadline.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }
    }

    /// <summary>Warning, error and critical lines each silo logged so far: a run with many deserves a look.</summary>
    public IReadOnlyDictionary<long, int> ProblemLines()
    {
        var counts = new Dictionary<long, int>();
        foreach (var node in nodes)
        {
            try
            {
                using var stream = new FileStream(node.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                var count = 0;
                while (reader.ReadLine() is { } line)
                {
                    if (line.Contains(" warn: ", StringComparison.Ordinal) || line.Contains(" fail: ", StringComparison.Ordinal) || line.Contains(" crit: ", StringComparison.Ordinal))
                    {
                        count++;
                    }
                }

                counts[node.NodeId] = count;
            }
            catch (IOException)
            {
                counts[node.NodeId] = -1;
            }
        }

        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        // In parallel: each may wait out its grace period.
        await Task.WhenAll(nodes.Select(n => n.StopAsync(options.StopGrace)));
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }

        foreach (var node in nodes)
        {
            await log.WriteLineAsync($"bench: silo {node.NodeId} exited with code {node.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "?"}");
        }

        nodes.Clear();
    }

    private SiloNode StartSilo(long nodeId, Uri address, string peers, bool join)
    {
        List<string> arguments =
        [
            options.SiloDll,
            "--node-id", nodeId.ToString(CultureInfo.InvariantCulture),
            "--group", options.GroupId.ToString(CultureInfo.InvariantCulture),
            "--peers", peers,
        ];
        arguments.AddRange(options.PostgresConnectionString is { } pg ? ["--pg", pg] : ["--in-memory"]);
        if (join)
        {
            arguments.Add("--join");
        }

        arguments.AddRange(options.ExtraArguments);
        var logPath = Path.Combine(options.LogDirectory, $"silo-{nodeId}.log");
        return SiloNode.Start(nodeId, address, options.GroupId, DotnetHost(), arguments, options.Environment, logPath, options.SizedRequestBodies);
    }

    private static async Task<bool> InUseAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync("127.0.0.1", port, deadline.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }

    /// <summary>The dotnet host running this tool, so the silo runs on the same runtime.</summary>
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }
}
