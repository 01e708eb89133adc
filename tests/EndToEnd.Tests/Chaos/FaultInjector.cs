using System.Globalization;

namespace OrleansRaft.EndToEnd.Tests.Chaos;

/// <summary>
/// Runs a <see cref="FaultSchedule"/> against a <see cref="ScriptedCluster"/> with <c>scripts/cluster kill | stop |
/// cont | restart</c>, one episode after another, and keeps the timeline and how long some fault was active. A
/// command that fails (a silo that does not restart, say) fails the run.
/// </summary>
public sealed class FaultInjector(ScriptedCluster cluster)
{
    private readonly Lock gate = new();
    private readonly List<FaultEvent> timeline = [];
    private readonly Dictionary<FaultKind, int> episodes = [];
    private readonly SiloState[] silos = [.. Enumerable.Repeat(SiloState.Running, cluster.Nodes)];
    private TimeSpan? faultSince;
    private TimeSpan faultTime;

    public IReadOnlyList<FaultEvent> Timeline
    {
        get
        {
            lock (gate)
            {
                return [.. timeline];
            }
        }
    }

    public IReadOnlyDictionary<FaultKind, int> Episodes => episodes;

    /// <summary>When the silos killed all at once had all been restarted, on the test's clock; null before.</summary>
    public TimeSpan? AllRestartedAt { get; private set; }

    /// <summary>How long at least one silo was paused or down.</summary>
    public TimeSpan FaultTime
    {
        get
        {
            lock (gate)
            {
                return faultTime + (faultSince is { } since ? cluster.Elapsed - since : TimeSpan.Zero);
            }
        }
    }

    /// <summary>Episodes until <paramref name="duration"/> has passed (the last one runs to its end): every fault is undone after.</summary>
    public async Task RunAsync(FaultSchedule schedule, TimeSpan duration)
    {
        var start = cluster.Elapsed;
        Record($"faults begin; the kill of every silo is due after {schedule.KillAllAfter.TotalSeconds:0.0} s");
        await Task.Delay(schedule.Warmup);
        while (cluster.Elapsed - start < duration)
        {
            var episode = schedule.Next(cluster.Elapsed - start);
            episodes[episode.Kind] = episodes.GetValueOrDefault(episode.Kind) + 1;
            await RunEpisodeAsync(episode);
            await Task.Delay(episode.Gap);
        }

        Record("faults end");
    }

    /// <summary>SIGCONT to every paused silo, <c>restart</c> of every killed one.</summary>
    public async Task HealAsync()
    {
        for (var node = 1; node <= silos.Length; node++)
        {
            switch (silos[node - 1])
            {
                case SiloState.Paused:
                    await ContinueAsync(node);
                    break;
                case SiloState.Killed:
                    await RestartAsync(node);
                    break;
            }
        }

        Record("healed: every silo runs");
    }

    private async Task RunEpisodeAsync(FaultEpisode episode)
    {
        var (leader, why) = await FindLeaderAsync(episode.Pick);
        switch (episode.Kind)
        {
            case FaultKind.KillLeader:
                await KillAsync(leader, why);
                await Task.Delay(episode.Hold);
                await RestartAsync(leader);
                break;
            case FaultKind.PauseLeader:
                await PauseAsync(leader, why);
                await Task.Delay(episode.Hold);
                await ContinueAsync(leader);
                break;
            case FaultKind.KillFollower:
                var killed = Other(leader, episode.Pick);
                await KillAsync(killed, "a follower");
                await Task.Delay(episode.Hold);
                await RestartAsync(killed);
                break;
            case FaultKind.PauseFollower:
                var paused = Other(leader, episode.Pick);
                await PauseAsync(paused, "a follower");
                await Task.Delay(episode.Hold);
                await ContinueAsync(paused);
                break;
            case FaultKind.PauseMajority:
                var follower = Other(leader, episode.Pick);
                await PauseAsync(leader, why);
                await PauseAsync(follower, "a follower: no majority left");
                await Task.Delay(episode.Hold);
                await ContinueAsync(follower);
                await ContinueAsync(leader);
                break;
            case FaultKind.KillLeaderPauseFollower:
                var frozen = Other(leader, episode.Pick);
                await KillAsync(leader, why);
                await PauseAsync(frozen, "a follower: no majority left");
                await Task.Delay(episode.Hold);
                await RestartAsync(leader);
                await Task.Delay(episode.Hold / 2);
                await ContinueAsync(frozen);
                break;
            case FaultKind.KillAll:
                // Rotated by the pick, so the leader is not always first or last to go.
                var order = Enumerable.Range(0, silos.Length).Select(i => ((episode.Pick + i) % silos.Length) + 1).ToList();
                foreach (var node in order)
                {
                    await KillAsync(node, node == leader ? $"{why}; every silo goes" : "every silo goes");
                }

                await Task.Delay(episode.Hold);
                foreach (var node in order)
                {
                    await RestartAsync(node);
                }

                AllRestartedAt = cluster.Elapsed;
                break;
        }
    }

    /// <summary>The leader by <c>GET /v1/cluster</c>; when none is known, a silo chosen by <paramref name="pick"/>.</summary>
    private async Task<(int Node, string Why)> FindLeaderAsync(int pick)
    {
        var view = await cluster.Gateway.TryClusterAsync();
        if (view is { Leader: { } leader } && view.Nodes.Any(n => n.Id == leader && n.Role == "leader"))
        {
            return ((int)leader, $"the leader, term {view.Term.ToString(CultureInfo.InvariantCulture)}");
        }

        return ((pick % silos.Length) + 1, "no leader known: any silo");
    }

    /// <summary>A silo other than <paramref name="leader"/>, chosen by <paramref name="pick"/>.</summary>
    private int Other(int leader, int pick)
    {
        var others = Enumerable.Range(1, silos.Length).Where(n => n != leader).ToList();
        return others[pick % others.Count];
    }

    private Task KillAsync(int node, string why) => RunAsync("kill", node, SiloState.Killed, why);

    private Task PauseAsync(int node, string why) => RunAsync("stop", node, SiloState.Paused, why);

    private Task ContinueAsync(int node) => RunAsync("cont", node, SiloState.Running, null);

    private Task RestartAsync(int node) => RunAsync("restart", node, SiloState.Running, null);

    private async Task RunAsync(string command, int node, SiloState after, string? why)
    {
        var started = cluster.Elapsed;
        try
        {
            await cluster.RunCheckedAsync(command, node.ToString(CultureInfo.InvariantCulture));
        }
        catch
        {
            Record($"{command} {node} FAILED after {(cluster.Elapsed - started).TotalSeconds:0.0} s");
            throw;
        }

        lock (gate)
        {
            silos[node - 1] = after;
            var now = cluster.Elapsed;
            var anyFault = silos.Any(s => s != SiloState.Running);
            if (anyFault && faultSince is null)
            {
                faultSince = now;
            }
            else if (!anyFault && faultSince is { } since)
            {
                faultTime += now - since;
                faultSince = null;
            }

            var took = now - started;
            timeline.Add(new FaultEvent(started, $"{command} {node}{(why is null ? string.Empty : $" ({why})")}{(took > TimeSpan.FromSeconds(0.5) ? $", took {took.TotalSeconds:0.0} s" : string.Empty)}"));
        }
    }

    private void Record(string what)
    {
        lock (gate)
        {
            timeline.Add(new FaultEvent(cluster.Elapsed, what));
        }
    }
}
