using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using OrleansRaft.Bench.Progress;

namespace OrleansRaft.Bench.Targets;

/// <summary>
/// An etcd cluster the bench starts on loopback for one experiment, as shared/anchors/etcd-cluster.sh does: N
/// members on free ports, data and logs in the results folder, default settings unless timeouts are given. Clients
/// use the first member's v3 JSON gateway (HTTP/1.1 only: on cleartext, etcd hands every HTTP/2 connection to gRPC).
/// </summary>
public sealed class EtcdCluster : IFaultableSystem
{
    private readonly List<EtcdMember> members = [];
    private readonly string directory;
    private readonly TextWriter log;
    private readonly HttpClient statusClient = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(1) });
    private readonly EtcdTimeouts? timeouts;

    private EtcdCluster(string directory, EtcdTimeouts? timeouts, TextWriter log)
    {
        this.directory = directory;
        this.timeouts = timeouts;
        this.log = log;
    }

    public string Name => "etcd";

    public string Description =>
        $"etcd {Version} (apt), {members.Count} member{(members.Count == 1 ? "" : "s")} started by the bench on loopback, v3 JSON gateway over HTTP/1.1{(timeouts is { } t ? $", --heartbeat-interval {t.HeartbeatMs} --election-timeout {t.ElectionMs}" : ", default settings")}";

    public int Nodes => members.Count;

    public bool SupportsHttp2 => false;

    public string Version { get; private set; } = "3.4";

    public static async Task<EtcdCluster> StartAsync(int nodes, string directory, EtcdTimeouts? timeouts, TextWriter log, CancellationToken cancellationToken)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (!path.Split(':', StringSplitOptions.RemoveEmptyEntries).Any(dir => File.Exists(Path.Combine(dir, "etcd"))))
        {
            throw new InvalidOperationException("etcd is not installed: apt-get install -y etcd-server etcd-client");
        }

        Directory.CreateDirectory(directory);
        var cluster = new EtcdCluster(directory, timeouts, log);
        try
        {
            var first = FreePorts.Range(2 * nodes);
            string Peer(int node) => $"http://127.0.0.1:{first + (2 * (node - 1)) + 1}";
            string Client(int node) => $"http://127.0.0.1:{first + (2 * (node - 1))}";
            var initial = string.Join(',', Enumerable.Range(1, nodes).Select(n => $"e{n}={Peer(n)}"));
            var token = $"bench-{Guid.NewGuid():N}"[..18];
            for (var node = 1; node <= nodes; node++)
            {
                List<string> arguments =
                [
                    "--name", $"e{node}", "--data-dir", Path.Combine(directory, $"e{node}.data"),
                    "--listen-peer-urls", Peer(node), "--initial-advertise-peer-urls", Peer(node),
                    "--listen-client-urls", Client(node), "--advertise-client-urls", Client(node),
                    "--initial-cluster", initial, "--initial-cluster-state", "new", "--initial-cluster-token", token,
                    "--logger", "zap", "--log-level", "error",
                ];
                if (timeouts is { } t)
                {
                    arguments.AddRange(["--heartbeat-interval", t.HeartbeatMs.ToString(CultureInfo.InvariantCulture), "--election-timeout", t.ElectionMs.ToString(CultureInfo.InvariantCulture)]);
                }

                var member = new EtcdMember(node, arguments, new Uri(Client(node)), Path.Combine(directory, $"e{node}.log"));
                cluster.members.Add(member);
                member.Start();
            }

            await log.WriteLineAsync($"bench: started etcd, {nodes} members, in {directory}");
            await using (new ProgressTicker($"etcd ×{nodes}: starting", elapsed => $"{elapsed.TotalSeconds:F0} s (waiting for a leader every member agrees on)"))
            {
                await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public Uri ClientAddress(Version version) => members[0].ClientAddress;

    public Uri ProbeAddress(int down) => members.First(m => m.Node != down).ClientAddress;

    public IKvClient CreateClient(HttpClient http) => new EtcdKvClient(http);

    public int? ProcessId(int node) => members[node - 1].ProcessId;

    public IReadOnlyCollection<int> ProcessIds() => [.. members.Select(m => m.ProcessId).OfType<int>()];

    public async Task<NodeStatus?[]> StatusAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(members.Select(m => MemberStatusAsync(m, timeout, cancellationToken)));
        return [.. answers.Select((answer, i) =>
        {
            if (answer is not { } a)
            {
                return (NodeStatus?)null;
            }

            members[i].MemberId ??= a.MemberId;
            var leader = members.FindIndex(m => m.MemberId == a.Leader) + 1;
            return new NodeStatus(i + 1, a.Leader == a.MemberId ? "leader" : "follower", a.Term, leader);
        })];
    }

    public async Task KillAsync(int node, CancellationToken cancellationToken) => await members[node - 1].KillAsync();

    public async Task RestartAsync(int node, CancellationToken cancellationToken)
    {
        var member = members[node - 1];
        member.Start();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await MemberStatusAsync(member, TimeSpan.FromSeconds(1), cancellationToken) is null)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"etcd member {node} did not answer within 30 s of its restart (log: {directory}/e{node}.log)");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(members.Select(m => m.StopAsync(TimeSpan.FromSeconds(5))));
        statusClient.Dispose();
        foreach (var member in members)
        {
            // The data (a preallocated 64 MB WAL each) is not worth keeping; the logs stay.
            var data = Path.Combine(directory, $"e{member.Node}.data");
            try
            {
                if (Directory.Exists(data))
                {
                    Directory.Delete(data, recursive: true);
                }
            }
            catch (IOException e)
            {
                await log.WriteLineAsync($"bench: could not delete {data}: {e.Message}");
            }
        }
    }

    private async Task WaitForLeaderAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var statuses = await StatusAsync(TimeSpan.FromSeconds(1), cancellationToken);
            if (statuses.All(s => s is { Leader: > 0 }))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                var exited = members.Where(m => m.ProcessId is null).Select(m => $"e{m.Node}").ToList();
                throw new TimeoutException($"etcd: no leader every member agrees on within {timeout.TotalSeconds} s{(exited.Count > 0 ? $"; exited: {string.Join(", ", exited)}" : "")} (logs in {directory})");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private async Task<(string MemberId, string Leader, long Term)?> MemberStatusAsync(EtcdMember member, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var content = new StringContent("{}", Encoding.UTF8, "application/json");
            using var response = await statusClient.PostAsync(new Uri(member.ClientAddress, "/v3/maintenance/status"), content, deadline.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(deadline.Token));
            var root = json.RootElement;
            Version = root.TryGetProperty("version", out var version) ? version.GetString() ?? Version : Version;
            // grpc-gateway writes 64-bit numbers as strings.
            var memberId = root.GetProperty("header").GetProperty("member_id").GetString() ?? "";
            var leader = root.TryGetProperty("leader", out var l) ? l.GetString() ?? "0" : "0";
            var term = root.TryGetProperty("raftTerm", out var t) ? long.Parse(t.GetString() ?? "0", CultureInfo.InvariantCulture) : 0;
            return (memberId, leader, term);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException or KeyNotFoundException or FormatException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }
    }
}
