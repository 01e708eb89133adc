using System.Diagnostics;
using OrleansRaft.Bench.Targets;

namespace OrleansRaft.Bench.Experiments.Election;

/// <summary>
/// Polls every node's Raft status during a trial and keeps the first new leader seen (a node in role leader at a
/// term above the killed leader's), every (term, leader) pair reported after the kill, and the highest term.
/// </summary>
internal sealed class StatusWatch : IAsyncDisposable
{
    private readonly IFaultableSystem system;
    private readonly long oldTerm;
    private readonly int oldLeader;
    private readonly TimeSpan period;
    private readonly HashSet<(long Term, int Leader)> leaders = [];
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public StatusWatch(IFaultableSystem system, long oldTerm, int oldLeader, TimeSpan period)
    {
        this.system = system;
        this.oldTerm = oldTerm;
        this.oldLeader = oldLeader;
        this.period = period;
        loop = RunAsync();
    }

    /// <summary>When (Stopwatch timestamp of the answer), which node and at which term a new leader was first reported.</summary>
    public (long At, int Node, long Term)? FirstLeader { get; private set; }

    public long MaxTerm { get; private set; }

    public int Leaders
    {
        get
        {
            lock (gate)
            {
                return leaders.Count;
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
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var statuses = await system.StatusAsync(TimeSpan.FromMilliseconds(500), stop.Token);
                var at = Stopwatch.GetTimestamp();
                foreach (var status in statuses.OfType<NodeStatus>())
                {
                    MaxTerm = Math.Max(MaxTerm, status.Term);
                    if (status.IsLeader && status.Term > oldTerm && status.Node != oldLeader)
                    {
                        FirstLeader ??= (at, status.Node, status.Term);
                        lock (gate)
                        {
                            leaders.Add((status.Term, status.Node));
                        }
                    }
                }

                await Task.Delay(period, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
