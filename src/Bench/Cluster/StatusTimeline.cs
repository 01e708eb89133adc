using System.Diagnostics;

namespace OrleansRaft.Bench.Cluster;

/// <summary>
/// Asks every silo for its status every <c>period</c>, one loop per silo (a silo slow to answer delays only its
/// own samples), and keeps every answer: role and commit index over time.
/// </summary>
public sealed class StatusTimeline : IAsyncDisposable
{
    private readonly List<StatusSample> samples = [];
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly DateTime startedAt = DateTime.Now;
    private readonly Task loops;

    public StatusTimeline(SiloCluster cluster, TimeSpan period)
    {
        loops = Task.WhenAll(cluster.Nodes.Select(n => Task.Run(() => RunAsync(n, period))));
    }

    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>
    /// Where a silo log's local "HH:mm:ss.fff" timestamp falls on this timeline (the silos log local time, like
    /// this process); the day is the one nearest the timeline's start.
    /// </summary>
    public TimeSpan ElapsedAt(TimeSpan localTimeOfDay)
    {
        var offset = localTimeOfDay - startedAt.TimeOfDay;
        return offset + (offset > TimeSpan.FromHours(12) ? -TimeSpan.FromDays(1) : offset < -TimeSpan.FromHours(12) ? TimeSpan.FromDays(1) : TimeSpan.Zero);
    }

    public IReadOnlyList<StatusSample> Samples
    {
        get
        {
            lock (gate)
            {
                return [.. samples];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loops;
        stop.Dispose();
    }

    private async Task RunAsync(SiloNode node, TimeSpan period)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            do
            {
                if (await SiloCluster.TryStatusAsync(node, TimeSpan.FromSeconds(2), stop.Token) is { } status)
                {
                    lock (gate)
                    {
                        samples.Add(new StatusSample(clock.Elapsed, status.NodeId, status.Role, status.Term, status.CommitIndex));
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
