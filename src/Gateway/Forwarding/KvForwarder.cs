using OrleansRaft.Grains;

namespace OrleansRaft.Gateway.Forwarding;

/// <summary>
/// Sends one client request to the group's leader (or, for a stale read, to any replica) and retries until an
/// answer or the deadline. The outcome is the replica's Ok, NotFound or Stale, else <see cref="KvStatus.Timeout"/>
/// when some attempt may have been taken by a leader (outcome unknown: 504) or <see cref="KvStatus.Unavailable"/>
/// when none was (503).
/// </summary>
internal sealed class KvForwarder(SiloSet silos, LeaderCache leaders)
{
    /// <summary>NotLeader hints followed in a row before asking every silo instead (hints can go round in circles).</summary>
    private const int MaxHops = 3;

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(160);

    private int nextStaleReplica;

    public async Task<KvResponse> ToLeaderAsync(ForwardedCall call, CancellationToken deadline)
    {
        var mayBeTaken = false;
        var detail = "no leader was found";
        var target = leaders.Current;
        var hops = 0;
        var failures = 0;
        while (!deadline.IsCancellationRequested)
        {
            if (target == 0)
            {
                target = await leaders.ResolveAsync(deadline);
                if (target == 0)
                {
                    detail = "no silo knows a leader (an election may be under way, or too few silos are reachable)";
                    if (!await BackoffAsync(failures++, deadline))
                    {
                        break;
                    }

                    continue;
                }
            }

            var replica = silos.Find(target)!;
            var response = await call.SendTo(replica, deadline);
            switch (response.Status)
            {
                case KvStatus.Ok or KvStatus.NotFound or KvStatus.Stale:
                    return response;
                case KvStatus.NotLeader:
                    detail = $"node {target} is not the leader";
                    var hint = response.LeaderHint;
                    if (hint != 0 && hint != target && hops < MaxHops && silos.Find(hint) is not null)
                    {
                        hops++;
                        leaders.Replace(target, hint);
                        target = hint;
                        continue;
                    }

                    break;
                case KvStatus.Timeout:
                    // The leader may have taken it; a retry under the same client request applies at most once.
                    mayBeTaken = true;
                    detail = $"node {target}: {response.Detail}";
                    break;
                default:
                    detail = $"node {target}: {response.Detail}";
                    break;
            }

            leaders.Forget(target);
            target = 0;
            hops = 0;

            // The first failure after a leader change retries at once with a fresh discovery; later ones wait.
            if (failures++ > 0 && !await BackoffAsync(failures, deadline))
            {
                break;
            }
        }

        return mayBeTaken
            ? new KvResponse(KvStatus.Timeout) { Detail = detail }
            : new KvResponse(KvStatus.Unavailable) { Detail = detail };
    }

    /// <summary>A stale read: any replica's applied state, replicas taken in turn so the load spreads.</summary>
    public async Task<KvResponse> ToAnyAsync(ForwardedCall call, CancellationToken deadline)
    {
        var detail = "no silo answered";
        var failures = 0;
        while (!deadline.IsCancellationRequested)
        {
            var members = silos.Members;
            var start = (int)((uint)Interlocked.Increment(ref nextStaleReplica) % (uint)Math.Max(members.Count, 1));
            for (var i = 0; i < members.Count && !deadline.IsCancellationRequested; i++)
            {
                var (id, replica) = members[(start + i) % members.Count];
                var response = await call.SendTo(replica, deadline);
                if (response.Status is KvStatus.Ok or KvStatus.NotFound)
                {
                    return response;
                }

                detail = $"node {id}: {response.Detail}";
            }

            if (!await BackoffAsync(failures++, deadline))
            {
                break;
            }
        }

        return new KvResponse(KvStatus.Unavailable) { Detail = detail };
    }

    /// <summary>Waits 5, 10, 20 … 160 ms; false when the deadline passed meanwhile.</summary>
    private static async Task<bool> BackoffAsync(int failures, CancellationToken deadline)
    {
        var delay = FirstBackoff * (1 << Math.Min(failures, 5));
        try
        {
            await Task.Delay(delay < MaxBackoff ? delay : MaxBackoff, deadline);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
