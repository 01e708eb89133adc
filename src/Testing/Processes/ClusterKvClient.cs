using OrleansRaft.Grains;

namespace OrleansRaft.Testing.Processes;

/// <summary>
/// Calls the leader of a <see cref="SiloProcessCluster"/> as a gateway would: follows NotLeader hints, moves on
/// to the next running silo when one is unreachable or unsure, and repeats the call until its outcome is known
/// (Ok, NotFound or Stale). A write must carry a client request identity, so that repeating it applies it once.
/// </summary>
/// <param name="attemptTimeout">Deadline of one attempt; a slow attempt of a write ends as Timeout and is repeated.</param>
/// <param name="leaderChanged">Called with (previous, new) when a different silo than before answers Ok.</param>
public sealed class ClusterKvClient(SiloProcessCluster cluster, TimeSpan attemptTimeout, Action<long, long>? leaderChanged = null)
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(200);

    private readonly long[] retriesByStatus = new long[Enum.GetValues<KvStatus>().Length];
    private long target = cluster.Silos[0].NodeId;
    private long leader;

    /// <summary>The silo that answered Ok last, or 0.</summary>
    public long Leader => Interlocked.Read(ref leader);

    /// <summary>Attempts repeated so far, by the status that made them repeat.</summary>
    public IReadOnlyDictionary<KvStatus, long> Retries =>
        Enum.GetValues<KvStatus>().Where(s => Interlocked.Read(ref retriesByStatus[(int)s]) > 0).ToDictionary(s => s, s => Interlocked.Read(ref retriesByStatus[(int)s]));

    /// <summary>
    /// Calls the leader until the outcome is known. Throws <see cref="TimeoutException"/>, naming the last
    /// answer, when <paramref name="cancellationToken"/> ends it first.
    /// </summary>
    public async Task<KvResponse> CallAsync(Func<IKvReplica, CancellationToken, Task<KvResponse>> call, CancellationToken cancellationToken)
    {
        var backoff = FirstBackoff;
        var followedHint = false;
        var last = "no attempt";
        while (!cancellationToken.IsCancellationRequested)
        {
            var node = Interlocked.Read(ref target);
            KvResponse response;
            using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attempt.CancelAfter(attemptTimeout);
                response = await call(cluster.Silo(node).Client, attempt.Token);
            }

            if (response.Status is KvStatus.Ok or KvStatus.NotFound or KvStatus.Stale)
            {
                NoteLeader(node);
                return response;
            }

            Interlocked.Increment(ref retriesByStatus[(int)response.Status]);
            last = $"{response.Status} from node {node}: {response.Detail}";
            var hint = response.LeaderHint;
            if (response.Status == KvStatus.NotLeader && hint != node && cluster.Silos.Any(s => s.NodeId == hint) && !followedHint)
            {
                // Straight to the named leader, once; hints that go round in circles wait like any failure.
                Interlocked.CompareExchange(ref target, hint, node);
                followedHint = true;
                continue;
            }

            followedHint = false;
            Interlocked.CompareExchange(ref target, NextAfter(node), node);
            try
            {
                await Task.Delay(backoff, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }

        throw new TimeoutException($"no definitive outcome before the deadline; last answer: {last}");
    }

    private void NoteLeader(long node)
    {
        var previous = Interlocked.Exchange(ref leader, node);
        if (previous != node)
        {
            leaderChanged?.Invoke(previous, node);
        }
    }

    /// <summary>The next running silo after <paramref name="node"/> in node order, wrapping around.</summary>
    private long NextAfter(long node)
    {
        var silos = cluster.Silos;
        var at = silos.ToList().FindIndex(s => s.NodeId == node);
        for (var step = 1; step <= silos.Count; step++)
        {
            var candidate = silos[(at + step) % silos.Count];
            if (candidate.IsRunning)
            {
                return candidate.NodeId;
            }
        }

        return silos[(at + 1) % silos.Count].NodeId;
    }
}
