using System.Diagnostics;
using OrleansRaft.Grains;

namespace OrleansRaft.Testing.Processes;

/// <summary>
/// Silo processes 1..N of one group on free loopback ports. Every wait is a bounded poll of the status
/// endpoints that fails saying what it last saw. Disposing kills every process, whatever happened before.
/// </summary>
public sealed class SiloProcessCluster : IAsyncDisposable
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly SiloProcess[] silos;

    private SiloProcessCluster(SiloProcessClusterOptions options, SiloProcess[] silos)
    {
        Options = options;
        this.silos = silos;
    }

    public SiloProcessClusterOptions Options { get; }

    public IReadOnlyList<SiloProcess> Silos => silos;

    public int Majority => (silos.Length / 2) + 1;

    public string LogDirectory => Options.LogDirectory;

    /// <summary>Starts every silo and waits until each answers <c>/healthz</c>; kills them all if any fails.</summary>
    public static async Task<SiloProcessCluster> StartAsync(SiloProcessClusterOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Size, 1);
        var ports = FreeTcpPorts.Pick(options.Size);
        var peers = Enumerable.Range(1, options.Size).ToDictionary(id => (long)id, id => new Uri($"http://127.0.0.1:{ports[id - 1]}"));
        var silos = peers.Keys.Select(id =>
        {
            var silo = new SiloProcessOptions
            {
                NodeId = id,
                Peers = peers,
                LogDirectory = options.LogDirectory,
                GroupId = options.GroupId,
                PostgresConnectionString = options.PostgresConnectionString,
                ExtraArguments = options.ExtraArguments,
                Environment = options.Environment,
            };
            return new SiloProcess(options.Customize?.Invoke(silo) ?? silo);
        }).ToArray();
        var cluster = new SiloProcessCluster(options, silos);
        try
        {
            foreach (var silo in silos)
            {
                silo.Start();
            }

            await Task.WhenAll(silos.Select(s => s.WaitHealthyAsync(options.HealthyTimeout)));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public SiloProcess Silo(long nodeId) =>
        silos.FirstOrDefault(s => s.NodeId == nodeId) ?? throw new ArgumentOutOfRangeException(nameof(nodeId), nodeId, "no such node in this cluster");

    /// <summary>Every silo's status, asked in parallel; null for a silo that is down, paused or slow to answer.</summary>
    public async Task<IReadOnlyDictionary<long, ReplicaStatus?>> StatusesAsync(TimeSpan? probeTimeout = null)
    {
        var statuses = await Task.WhenAll(silos.Select(s => s.TryStatusAsync(probeTimeout ?? ProbeTimeout)));
        return silos.Select((s, i) => (s.NodeId, statuses[i])).ToDictionary(p => p.NodeId, p => p.Item2);
    }

    /// <summary>
    /// Polls until a silo says it leads and a majority of the group (itself included) name it as leader in its
    /// term. A silo that is down cannot be found: survivors still naming it do not count.
    /// </summary>
    public async Task<SiloProcess> FindLeaderAsync(TimeSpan timeout)
    {
        var seen = "no status yet";
        var found = await PollAsync(
            async () =>
            {
                var statuses = await StatusesAsync();
                seen = Describe(statuses);
                var leader = statuses.Values
                    .Where(s => s is { Role: "leader" })
                    .Select(s => s!)
                    .Where(l => statuses.Values.Count(s => s is not null && s.Leader == l.NodeId && s.Term == l.Term) >= Majority)
                    .OrderByDescending(l => l.Term)
                    .FirstOrDefault();
                return leader is null ? null : Silo(leader.NodeId);
            },
            timeout);
        return found ?? throw new TimeoutException($"no leader agreed on by a majority ({Majority} of {silos.Length}) within {timeout.TotalSeconds:0.#} s; last seen: {seen}");
    }

    /// <summary>
    /// Polls until every silo answers with the same applied index, at least <paramref name="minApplied"/> and
    /// equal to its commit index: nothing is left to apply anywhere. Call it when no writes are running.
    /// </summary>
    public async Task<IReadOnlyList<ReplicaStatus>> WaitForAppliedAsync(long minApplied, TimeSpan timeout)
    {
        var seen = "no status yet";
        var converged = await PollAsync(
            async () =>
            {
                var statuses = await StatusesAsync();
                seen = Describe(statuses);
                var all = statuses.Values.OfType<ReplicaStatus>().ToList();
                return all.Count == silos.Length
                       && all.All(s => s.AppliedIndex >= minApplied && s.AppliedIndex == s.CommitIndex && s.AppliedIndex == all[0].AppliedIndex)
                    ? all
                    : null;
            },
            timeout);
        return converged ?? throw new TimeoutException(
            $"the replicas did not all apply the same index >= {minApplied} within {timeout.TotalSeconds:0.#} s; last seen: {seen}");
    }

    /// <summary>SIGKILL to every running silo at once.</summary>
    public Task KillAllAsync() => Task.WhenAll(silos.Select(s => s.KillAsync()));

    /// <summary>Starts every silo that is not running and waits until all of them serve.</summary>
    public async Task StartStoppedAsync()
    {
        var stopped = silos.Where(s => !s.IsRunning).ToList();
        foreach (var silo in stopped)
        {
            silo.Start();
        }

        await Task.WhenAll(stopped.Select(s => s.WaitHealthyAsync(Options.HealthyTimeout)));
    }

    /// <summary>One line per silo: role, term, leader, commit and applied index, or why it did not answer.</summary>
    public string Describe(IReadOnlyDictionary<long, ReplicaStatus?> statuses) =>
        string.Join("; ", silos.Select(s => statuses.GetValueOrDefault(s.NodeId) is { } st
            ? $"node {st.NodeId} {st.Role} term {st.Term} leader {st.Leader} commit {st.CommitIndex} applied {st.AppliedIndex} last {st.LastIndex}{(st.Failure is null ? string.Empty : $" FAILED: {st.Failure}")}"
            : $"node {s.NodeId} {(s.IsRunning ? s.IsPaused ? "paused" : "no answer" : "down")}"));

    public async ValueTask DisposeAsync()
    {
        var errors = new List<Exception>();
        foreach (var silo in silos)
        {
            try
            {
                await silo.DisposeAsync();
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        }

        if (errors.Count > 0)
        {
            throw new AggregateException("disposing the silo processes failed", errors);
        }
    }

    private static async Task<T?> PollAsync<T>(Func<Task<T?>> attempt, TimeSpan timeout)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await attempt() is { } result)
            {
                return result;
            }

            if (clock.Elapsed > timeout)
            {
                return null;
            }

            await Task.Delay(PollInterval);
        }
    }
}
