using System.Globalization;
using OrleansRaft.Grains;
using OrleansRaft.Testing.Polling;
using OrleansRaft.Testing.Processes;
using OrleansRaft.Testing.Silos;

namespace OrleansRaft.Gateway.Tests.Infrastructure;

/// <summary>Three (or more) silos in this process talking real HTTP/2 over loopback, each with an in-memory log.</summary>
internal sealed class SiloCluster : IAsyncDisposable
{
    public static readonly TimeSpan LeaderTimeout = TimeSpan.FromSeconds(20);

    private readonly OutputSink sink;
    private readonly List<TestSilo> silos;
    private readonly (int Min, int Max) electionTimeoutMs;

    private SiloCluster(IEnumerable<TestSilo> silos, OutputSink sink, (int Min, int Max) electionTimeoutMs)
    {
        this.silos = [.. silos];
        this.sink = sink;
        this.electionTimeoutMs = electionTimeoutMs;
    }

    public IReadOnlyList<TestSilo> Silos => silos;

    /// <summary>The gateway's --silos value for this cluster.</summary>
    public string SilosArgument => string.Join(',', Silos.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.NodeId}=http://127.0.0.1:{s.Address.Port}")));

    /// <param name="electionTimeoutMs">A long election timeout keeps a leader without followers in office for that long (CheckQuorum).</param>
    public static async Task<SiloCluster> StartAsync(OutputSink sink, (int Min, int Max)? electionTimeoutMs = null, int count = 3)
    {
        var ports = Enumerable.Range(1, count).ToDictionary(id => (long)id, _ => FreePort.Next());
        var (min, max) = electionTimeoutMs ?? (150, 300);
        var silos = await Task.WhenAll(ports.Keys.Select(id => TestSilo.StartAsync(
            TestSilo.OptionsFor(id, ports) with { ElectionTimeoutMinMs = min, ElectionTimeoutMaxMs = max },
            prefix => new SinkLoggerProvider(sink, prefix))));
        return new SiloCluster(silos, sink, (min, max));
    }

    /// <summary>Starts silo <paramref name="id"/> with --join: no configuration of its own until a membership change adds it.</summary>
    public async Task<TestSilo> StartJoiningAsync(long id)
    {
        var ports = silos.ToDictionary(s => s.NodeId, s => s.Address.Port);
        ports[id] = FreePort.Next();
        var silo = await TestSilo.StartAsync(
            TestSilo.OptionsFor(id, ports) with { Join = true, ElectionTimeoutMinMs = electionTimeoutMs.Min, ElectionTimeoutMaxMs = electionTimeoutMs.Max },
            prefix => new SinkLoggerProvider(sink, prefix));
        silos.Add(silo);
        return silo;
    }

    public TestSilo Silo(long id) => Silos.Single(s => s.NodeId == id);

    /// <summary>Polls until exactly one live silo leads and every live silo names it as leader.</summary>
    public async Task<TestSilo> AgreedLeaderAsync(long? expected = null)
    {
        var live = Silos.Where(s => !s.Stopped).ToList();
        TestSilo? leader = null;
        var seen = string.Empty;
        await Eventually.HoldsAsync(
            async () =>
            {
                var statuses = new List<ReplicaStatus>();
                foreach (var silo in live)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    try
                    {
                        statuses.Add(await silo.Client.Status(timeout.Token));
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                    {
                        seen = $"node {silo.NodeId}: {e.Message}";
                        return false;
                    }
                }

                seen = string.Join("; ", statuses.Select(s => $"node {s.NodeId} {s.Role} term {s.Term} leader {s.Leader}"));
                var leaders = statuses.Where(s => s.Role == "leader").ToList();
                if (leaders.Count != 1 || statuses.Any(s => s.Leader != leaders[0].NodeId) || (expected is { } id && id != leaders[0].NodeId))
                {
                    return false;
                }

                leader = live.Single(s => s.NodeId == leaders[0].NodeId);
                return true;
            },
            LeaderTimeout,
            () => $"no agreed leader{(expected is { } id ? $" (expected node {id})" : string.Empty)}; last seen: {seen}");
        sink.Write($"agreed leader node {leader!.NodeId}: {seen}");
        return leader;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Silos)
        {
            await silo.DisposeAsync();
        }
    }
}
