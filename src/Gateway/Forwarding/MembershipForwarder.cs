using OrleansRaft.Gateway.Configuration;
using OrleansRaft.Grains;

namespace OrleansRaft.Gateway.Forwarding;

/// <summary>
/// Membership changes and leadership transfers, sent to the group's leader until an outcome or the deadline. A change
/// is sent again only when no leader took it (NotLeader, Unavailable); a Timeout ends the call, because the change may
/// have taken effect.
/// </summary>
internal sealed class MembershipForwarder(SiloSet silos, LeaderCache leaders, GatewayOptions options)
{
    private const int MaxHops = 3;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(200);

    // A leader abandons a transfer after one election timeout (thesis §3.10): watch the target about that long, then ask again.
    private static readonly TimeSpan TransferWatch = TimeSpan.FromSeconds(1);

    /// <summary>The status of a replica that answers as leader, or null when none did before the deadline.</summary>
    public async Task<ReplicaStatus?> LeaderStatusAsync(CancellationToken deadline)
    {
        for (var failures = 0; !deadline.IsCancellationRequested; failures++)
        {
            var id = await leaders.ResolveAsync(deadline);
            if (id != 0 && await StatusAsync(id, deadline) is { Role: "leader", Failure: null } status)
            {
                silos.Learn(status);
                return status;
            }

            leaders.Forget(id);
            if (!await BackoffAsync(failures, deadline))
            {
                break;
            }
        }

        return null;
    }

    public async Task<MembershipResult> ChangeAsync(MembershipRequest request, CancellationToken deadline)
    {
        var detail = "no silo knows a leader (an election may be under way, or too few silos are reachable)";
        var target = leaders.Current;
        var hops = 0;
        for (var failures = 0; !deadline.IsCancellationRequested; failures++)
        {
            if (target == 0 && (target = await leaders.ResolveAsync(deadline)) == 0)
            {
                if (!await BackoffAsync(failures, deadline))
                {
                    break;
                }

                continue;
            }

            var result = await silos.Find(target)!.ChangeMembership(request, deadline);
            switch (result.Status)
            {
                case MembershipStatus.Ok:
                    if (request.Address is { } address)
                    {
                        silos.Add(request.NodeId, address);
                    }

                    // The configuration changed: the next status round tells the silo set who the members are.
                    _ = await LeaderStatusAsync(deadline);
                    return result;
                case MembershipStatus.Refused or MembershipStatus.Timeout:
                    return result;
                case MembershipStatus.NotLeader when result.LeaderHint is var hint && hint != 0 && hint != target && hops < MaxHops && silos.Find(hint) is not null:
                    hops++;
                    leaders.Replace(target, hint);
                    target = hint;
                    continue;
                default:
                    detail = $"node {target}: {result.Detail}";
                    break;
            }

            leaders.Forget(target);
            target = 0;
            hops = 0;
            if (failures > 0 && !await BackoffAsync(failures, deadline))
            {
                break;
            }
        }

        return new MembershipResult(MembershipStatus.Unavailable) { Detail = detail };
    }

    /// <summary>Moves leadership to voter <paramref name="to"/>; its status once it leads, or null if it did not before the deadline.</summary>
    public async Task<ReplicaStatus?> TransferAsync(long to, CancellationToken deadline)
    {
        while (await LeaderStatusAsync(deadline) is { } leader)
        {
            if (leader.NodeId == to)
            {
                return leader;
            }

            try
            {
                await silos.Find(leader.NodeId)!.TransferLeadership(to, deadline);
            }
            catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException && !deadline.IsCancellationRequested)
            {
                // The leader went away or stepped down: the next round finds the current one.
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                return null;
            }

            using var watch = CancellationTokenSource.CreateLinkedTokenSource(deadline);
            watch.CancelAfter(TransferWatch);
            while (!watch.IsCancellationRequested)
            {
                if (await StatusAsync(to, watch.Token) is { Role: "leader", Failure: null } status)
                {
                    leaders.Replace(leaders.Current, to);
                    silos.Learn(status);
                    return status;
                }

                if (!await DelayAsync(PollInterval, watch.Token))
                {
                    break;
                }
            }
        }

        return null;
    }

    /// <summary>Node <paramref name="id"/>'s status within one status timeout, or null.</summary>
    private async Task<ReplicaStatus?> StatusAsync(long id, CancellationToken cancellationToken)
    {
        if (silos.Find(id) is not { } replica)
        {
            return null;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.StatusTimeout);
        try
        {
            return await replica.Status(limit.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Waits 10, 20 … 200 ms; false when the deadline passed meanwhile.</summary>
    private static Task<bool> BackoffAsync(int failures, CancellationToken deadline)
    {
        var delay = TimeSpan.FromMilliseconds(10) * (1 << Math.Min(failures, 5));
        return DelayAsync(delay < MaxBackoff ? delay : MaxBackoff, deadline);
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
