using System.Text;
using OrleansRaft.Grains;

namespace OrleansRaft.Scenarios.Tests.Harness;

/// <summary>
/// Clients writing while faults happen, stepped by the test once a tick. Each client has one write in flight: a
/// Put of a key nobody wrote before, sent to the replica that looks like the leader (it may be a stale one),
/// given up after <paramref name="timeout"/> of virtual time; between writes it thinks for 0-50 ms. Writes
/// acknowledged as applied are kept with the entry they took, for the property checks.
/// </summary>
public sealed class RaftWorkload(RaftTester ts, int clients, TimeSpan timeout)
{
    private readonly InFlight?[] inFlight = new InFlight?[clients];
    private readonly DateTimeOffset[] idleUntil = new DateTimeOffset[clients];
    private int written;

    public List<RaftAcknowledgedWrite> Acknowledged { get; } = [];

    /// <summary>Writes that ended without an acknowledgement (not leader, timed out, the replica crashed).</summary>
    public int Unacknowledged { get; private set; }

    /// <summary>Collects finished writes, then starts one for every idle client, through the newest leader seen.</summary>
    public async Task StepAsync(IReadOnlyList<ReplicaStatus> statuses)
    {
        var leader = statuses.Where(s => s.Role == "leader" && ts.Cluster.IsRunning(s.NodeId)).MaxBy(s => s.Term);
        for (var client = 0; client < inFlight.Length; client++)
        {
            var now = ts.Cluster.Time.GetUtcNow();
            if (inFlight[client] is { Reply.IsCompleted: true } done)
            {
                inFlight[client] = null;
                idleUntil[client] = now.AddMilliseconds(ts.Random.Next(51));
                await CollectAsync(done);
            }

            if (inFlight[client] is null && leader is not null && now >= idleUntil[client])
            {
                var n = ++written;
                var key = $"key-{client}-{n}";
                var value = $"value-{client}-{n}-{ts.Random.Next(1000)}";
                var replica = ts.Cluster.Replica(leader.NodeId);
                var expiry = new CancellationTokenSource();

                // In the cluster's client context, and with the deadline kept here rather than handed to the replica
                // (whose answer would then reach the client through a thread-pool hop the cluster cannot wait for), a
                // reply completes the write while the cluster settles: the next tick sees it in every run of the seed.
                var reply = ts.Cluster.Clients.Run(async () =>
                {
                    var put = replica.Put(key, Encoding.UTF8.GetBytes(value), null, CancellationToken.None);
                    return await Task.WhenAny(put, Task.Delay(timeout, ts.Cluster.Time, expiry.Token)) == put
                        ? await put
                        : new KvResponse(KvStatus.Timeout) { Detail = "no outcome before the deadline" };
                });
                inFlight[client] = new InFlight(leader.NodeId, key, value, reply, expiry);
            }
        }
    }

    /// <summary>
    /// Lets the writes still in flight end, and collects them: after one timeout of virtual time each has been
    /// answered or given up, so waiting for its task then moves no more virtual time.
    /// </summary>
    public async Task DrainAsync()
    {
        await ts.SleepAsync(timeout);
        for (var client = 0; client < inFlight.Length; client++)
        {
            if (inFlight[client] is { } pending)
            {
                inFlight[client] = null;
                await pending.Reply;
                await CollectAsync(pending);
            }
        }
    }

    private async Task CollectAsync(InFlight done)
    {
        var response = await done.Reply;
        await done.Expiry.CancelAsync();
        done.Expiry.Dispose();
        if (response.Status != KvStatus.Ok)
        {
            Unacknowledged++;
            return;
        }

        // The replica that answered applied the entry, so it is in its store; find it (and check it is this write).
        var entry = ts.Cluster.RecordedLog(done.Node).Entry(response.Index);
        if (entry is not { } stored || RaftTester.CommandOf(stored) != done.Value)
        {
            throw ts.Fail($"node {done.Node} acknowledged {done.Key}={done.Value} at index {response.Index}, but its log holds {entry?.ToString() ?? "nothing"} there");
        }

        var highestTerm = ts.Nodes.Max(id => ts.Cluster.RecordedLog(id).HardState.Term);
        Acknowledged.Add(new RaftAcknowledgedWrite(done.Key, done.Value, stored, highestTerm));
    }

    private sealed record InFlight(long Node, string Key, string Value, Task<KvResponse> Reply, CancellationTokenSource Expiry);
}
