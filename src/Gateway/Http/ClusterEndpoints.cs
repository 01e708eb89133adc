using Microsoft.AspNetCore.Http;
using OrleansRaft.Gateway.Configuration;
using OrleansRaft.Gateway.Forwarding;
using OrleansRaft.Grains;

namespace OrleansRaft.Gateway.Http;

/// <summary><c>GET /v1/cluster</c>, <c>/healthz</c> and <c>/readyz</c>: every silo's status, asked in parallel with a short timeout.</summary>
internal sealed class ClusterEndpoints(LeaderCache leaders, SiloSet silos, GatewayOptions options)
{
    public async Task ClusterAsync(HttpContext context)
    {
        var probes = await leaders.ProbeAsync(options.StatusTimeout, context.RequestAborted);
        var nodes = new List<ClusterNode>(probes.Length);
        ReplicaStatus? leader = null;
        var term = 0L;
        foreach (var probe in probes)
        {
            if (probe.Status is { } status)
            {
                nodes.Add(new ClusterNode(probe.Id, probe.Address.GetLeftPart(UriPartial.Authority), status.Role, status.Term, status.CommitIndex, status.AppliedIndex, true, status.Failure, status.Elections ?? []));
                term = Math.Max(term, status.Term);
                if (status.Role == "leader" && status.Failure is null && (leader is null || status.Term > leader.Term))
                {
                    leader = status;
                }
            }
            else
            {
                nodes.Add(new ClusterNode(probe.Id, probe.Address.GetLeftPart(UriPartial.Authority), "unknown", 0, 0, 0, false, probe.Error));
            }
        }

        await JsonReply.WriteAsync(context, new ClusterReply(leader?.NodeId, term, nodes), JsonReply.Context.ClusterReply);
    }

    public static Task HealthAsync(HttpContext context)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("ok\n");
    }

    /// <summary>Ready when a leader is known (cached or found) and answers its status as leader.</summary>
    public async Task ReadyAsync(HttpContext context)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(options.StatusTimeout);
        var id = await leaders.ResolveAsync(timeout.Token);
        if (id == 0)
        {
            await Problems.WriteAsync(context, Problems.NotReady("no silo knows a leader of the group"), options.RetryAfterSeconds);
            return;
        }

        string detail;
        try
        {
            var status = await silos.Find(id)!.Status(timeout.Token);
            if (status.Role == "leader" && status.Failure is null)
            {
                await JsonReply.WriteAsync(context, new ReadyReply("ready", id, status.Term), JsonReply.Context.ReadyReply);
                return;
            }

            detail = $"node {id} was the known leader but is now {status.Role}{(status.Failure is null ? string.Empty : $" ({status.Failure})")}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            detail = $"the known leader, node {id}, does not answer: {e.Message}";
        }

        leaders.Forget(id);
        await Problems.WriteAsync(context, Problems.NotReady(detail), options.RetryAfterSeconds);
    }
}
