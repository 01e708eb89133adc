using System.Diagnostics;

namespace OrleansRaft.Bench.Cluster;

/// <summary>
/// Asks every silo for its status a few times a second and records each new (term, leader) a silo reports,
/// so a report can say whether leadership moved during the measurement and when.
/// </summary>
public sealed class LeaderMonitor : IAsyncDisposable
{
    private readonly SiloCluster cluster;
    private readonly TimeSpan period;
    private readonly List<LeaderChange> changes = [];
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Task loop;

    public LeaderMonitor(SiloCluster cluster, TimeSpan period)
    {
        this.cluster = cluster;
        this.period = period;
        loop = RunAsync();
    }

    public TimeSpan Elapsed => clock.Elapsed;

    public IReadOnlyList<LeaderChange> Changes
    {
        get
        {
            lock (gate)
            {
                return [.. changes];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            do
            {
                var statuses = await Task.WhenAll(cluster.Nodes.Select(n => cluster.TryStatusAsync(n.NodeId, period, stop.Token)));
                foreach (var status in statuses)
                {
                    if (status is not { Leader: > 0 })
                    {
                        continue;
                    }

                    lock (gate)
                    {
                        if (!changes.Exists(c => c.Term == status.Term && c.Leader == status.Leader))
                        {
                            changes.Add(new LeaderChange(clock.Elapsed, status.Leader, status.Term));
                        }
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
