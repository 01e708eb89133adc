using System.Diagnostics;
using OrleansRaft.Bench.Targets;

namespace OrleansRaft.Bench.Experiments.Election;

/// <summary>
/// Waits, within a bound, for a leader every node agrees on (same leader, same term, all answering) that also
/// commits a write: only then is there a leader worth killing.
/// </summary>
internal sealed class StableCheck(IFaultableSystem system, TimeSpan bound) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };

    /// <returns>The leader's status, or null when none was stable within the bound.</returns>
    public async Task<NodeStatus?> WaitAsync(string key, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var limit = bound + TimeSpan.FromSeconds(10);
        while (clock.Elapsed < limit)
        {
            var statuses = await system.StatusAsync(TimeSpan.FromSeconds(1), cancellationToken);
            if (statuses.FirstOrDefault(s => s is { IsLeader: true }) is { } leader
                && statuses.All(s => s is { } n && n.Leader == leader.Node && n.Term == leader.Term))
            {
                http.BaseAddress ??= system.ProbeAddress(0);
                var write = await system.CreateClient(http).PutAsync(key, [1], cancellationToken);
                var after = await system.StatusAsync(TimeSpan.FromSeconds(1), cancellationToken);
                if (write.Succeeded && after[leader.Node - 1] is { IsLeader: true } still && still.Term == leader.Term)
                {
                    return leader;
                }
            }

            await Task.Delay(50, cancellationToken);
        }

        return null;
    }

    public void Dispose() => http.Dispose();
}
