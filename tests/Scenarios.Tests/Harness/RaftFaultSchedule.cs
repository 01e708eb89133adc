using OrleansRaft.Grains;
using OrleansRaft.Testing.Cluster;

namespace OrleansRaft.Scenarios.Tests.Harness;

/// <summary>
/// A seeded random schedule of faults, stepped by the test once a tick. Every <see cref="MinInterval"/> to
/// <see cref="MaxInterval"/> of virtual time a fault starts, and each ends by itself after
/// <see cref="MinDuration"/> to <see cref="MaxDuration"/>: a node disconnected or crashed (the leader half the
/// time), the network split in two, or made unreliable. Faults overlap. A leader that has led its term for
/// <see cref="LeaderTenure"/> with no fault aimed at it is disconnected or crashed by the next fault, so every run
/// makes elections, whoever happens to lead and whatever the other draws were. With <see cref="KeepMajority"/> at most
/// ⌊(n-1)/2⌋ nodes are down, cut off or split away at once, so the rest can always make progress; without it
/// anything goes (a majority down, one-way links, duplicates and long reordering), for safety checks.
/// </summary>
public sealed class RaftFaultSchedule(RaftTester ts)
{
    private readonly List<(DateTimeOffset At, string What, Func<Task> End)> endings = [];
    private readonly HashSet<long> split = [];
    private DateTimeOffset nextAt = ts.Cluster.Time.GetUtcNow();

    // The newest leader seen, its term, and since when it led with no fault aimed at it.
    private (long Node, long Term, DateTimeOffset Since)? tenure;

    public bool KeepMajority { get; init; }

    public TimeSpan MinInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromMilliseconds(600);

    public TimeSpan MinDuration { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>How long a leader may lead untouched before the next fault is aimed at it (disconnect or crash).</summary>
    public TimeSpan LeaderTenure { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Faults aimed at a leader because it had led untouched for <see cref="LeaderTenure"/>.</summary>
    public int TenureFaults { get; private set; }

    /// <summary>Every fault started and ended, in order: for failure messages.</summary>
    public List<string> Events { get; } = [];

    /// <summary>How many faults started.</summary>
    public int Started { get; private set; }

    private int MaxFaulty => KeepMajority ? (ts.Servers - 1) / 2 : ts.Servers;

    private DateTimeOffset Now => ts.Cluster.Time.GetUtcNow();

    public async Task StepAsync(IReadOnlyList<ReplicaStatus> statuses)
    {
        foreach (var ending in endings.Where(e => e.At <= Now).OrderBy(e => e.At).ToList())
        {
            endings.Remove(ending);
            await ending.End();
            Events.Add($"end {ending.What}");
        }

        var newest = statuses.Where(s => s.Role == "leader").MaxBy(s => s.Term);
        if (newest is not null && (tenure is not { } held || held.Node != newest.NodeId || held.Term != newest.Term))
        {
            tenure = (newest.NodeId, newest.Term, Now);
        }

        if (Now < nextAt)
        {
            return;
        }

        nextAt = Now + Between(MinInterval, MaxInterval);
        var mayFail = Faulty().Count < MaxFaulty;
        if (newest is not null && tenure is { } current && Now - current.Since >= LeaderTenure && mayFail && !Faulty().Contains(current.Node))
        {
            // Left to the draws below, a leader may go untouched for a whole run (they aim at it only half the time,
            // and most kinds of fault leave it leading): then the run tests no election.
            TenureFaults++;
            await IsolateAsync(current.Node, crash: ts.Random.Next(2) == 0, $" (leader of term {current.Term} for {(Now - current.Since).TotalSeconds:0.0#} s untouched)");
            return;
        }

        // Faults that hit the leader are the ones that make elections: aim at it half the time.
        var leader = newest?.NodeId;
        var node = leader is { } aim && ts.Random.Next(2) == 0 ? aim : ts.Nodes[ts.Random.Next(ts.Servers)];

        switch (ts.Random.Next(KeepMajority ? 4 : 6))
        {
            case 0 when mayFail && ts.Network.IsConnected(node):
                await IsolateAsync(node, crash: false);
                break;
            case 1 when mayFail && ts.Cluster.IsRunning(node):
                await IsolateAsync(node, crash: true);
                break;
            case 2 when split.Count == 0 || !KeepMajority:
                Split(node);
                break;
            case 3:
                ts.Network.Unreliable();
                Start("unreliable", ts.Network.Reliable);
                break;
            case 4:
                var to = ts.Nodes.Where(n => n != node).ElementAt(ts.Random.Next(ts.Servers - 1));
                ts.Network.Cut(node, to);
                Start($"cut {node}->{to}", () => ts.Network.Join(node, to));
                break;
            case 5:
                ts.Network.Unreliable(new UnreliableOptions { LongReordering = true, DuplicateRate = 0.05 });
                Start("unreliable, long reordering, duplicates", ts.Network.Reliable);
                break;
        }
    }

    /// <summary>Every fault ended: all running and connected, the network whole and reliable.</summary>
    public async Task HealAsync()
    {
        endings.Clear();
        foreach (var node in ts.Nodes.Where(n => !ts.Cluster.IsRunning(n)))
        {
            await ts.RestartAsync(node);
        }

        ts.Network.Heal();
        ts.Network.Reliable();
        split.Clear();
        Events.Add("heal all");
    }

    /// <summary>Disconnects or crashes <paramref name="node"/> until the fault ends; a leader so hit starts a new tenure.</summary>
    private async Task IsolateAsync(long node, bool crash, string why = "")
    {
        if (node == tenure?.Node)
        {
            tenure = tenure.Value with { Since = Now };
        }

        if (!crash)
        {
            ts.Disconnect(node);
            Start($"disconnect {node}{why}", () => ts.Connect(node));
            return;
        }

        await ts.CrashAsync(node);
        Start($"crash {node}{why}", async () =>
        {
            if (!ts.Cluster.IsRunning(node))
            {
                await ts.RestartAsync(node);
            }
        });
    }

    /// <summary>Nodes that are down, disconnected, or split away.</summary>
    private HashSet<long> Faulty() =>
        [.. ts.Nodes.Where(n => !ts.Cluster.IsRunning(n) || !ts.Network.IsConnected(n) || split.Contains(n))];

    private void Split(long node)
    {
        // One side with the given node: 1..MaxFaulty nodes in all (1..n-1 without KeepMajority), the rest opposite.
        var size = 1 + ts.Random.Next(KeepMajority ? MaxFaulty : ts.Servers - 1);
        var side = ts.Nodes.OrderBy(_ => ts.Random.Next()).Prepend(node).Distinct().Take(size).ToList();
        if (KeepMajority && Faulty().Union(side).Count() > MaxFaulty)
        {
            return;
        }

        ts.Network.Partition(side, [.. ts.Nodes.Except(side)]);
        split.UnionWith(side);
        if (tenure is { } held && side.Contains(held.Node) && side.Count <= ts.Servers / 2)
        {
            tenure = held with { Since = Now };
        }

        Start($"split {string.Join(",", side)} | {string.Join(",", ts.Nodes.Except(side))}", () =>
        {
            // One side with everyone restores every link between the nodes; disconnected nodes stay so.
            ts.Network.Partition([.. ts.Nodes]);
            split.Clear();
        });
    }

    private void Start(string what, Action end) => Start(what, () =>
    {
        end();
        return Task.CompletedTask;
    });

    private void Start(string what, Func<Task> end)
    {
        Started++;
        Events.Add(what);
        endings.Add((Now + Between(MinDuration, MaxDuration), what, end));
    }

    private TimeSpan Between(TimeSpan min, TimeSpan max) =>
        min + TimeSpan.FromMilliseconds(ts.Random.Next((int)(max - min).TotalMilliseconds + 1));
}
