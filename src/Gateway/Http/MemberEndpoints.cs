using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using OrleansRaft.Gateway.Configuration;
using OrleansRaft.Gateway.Forwarding;
using OrleansRaft.Grains;
using OrleansRaft.Raft;

namespace OrleansRaft.Gateway.Http;

/// <summary>
/// <c>/v1/cluster/members</c> and <c>/v1/cluster/leader</c>: the configuration as the leader holds it, one membership
/// change at a time (thesis §4.1; a voter joins as a learner and is promoted once caught up), and leadership transfer
/// (§3.10). A refused change is a 400, 404 or 409 with a reason; nothing was changed.
/// </summary>
internal sealed class MemberEndpoints(MembershipForwarder forwarder, SiloSet silos, GatewayOptions options)
{
    private const long MaxBodyBytes = 64 << 10;

    public async Task MembersAsync(HttpContext context)
    {
        using var deadline = Deadline(context, options.Deadline);
        if (await forwarder.LeaderStatusAsync(deadline.Token) is not { } leader)
        {
            await NoLeaderAsync(context, "no silo answered as leader before the deadline");
            return;
        }

        var members = leader.Voters.Select(id => Member(id, "voter"))
            .Concat(leader.Learners.Select(id => Member(id, "learner")))
            .OrderBy(m => m.Id)
            .ToList();
        await JsonReply.WriteAsync(context, new MembersReply(leader.NodeId, leader.Term, members), JsonReply.Context.MembersReply);
    }

    public async Task AddAsync(HttpContext context)
    {
        if (await ReadAsync(context, JsonReply.Context.MemberRequest) is not { } body)
        {
            return;
        }

        if (Validate(body) is { } invalid)
        {
            await Problems.WriteAsync(context, Problems.InvalidMember(invalid));
            return;
        }

        var id = body.Id!.Value;
        // A node whose address the gateway knows (from --silos, or one that was a member before) may omit it.
        var address = body.Address is null ? silos.Find(id)?.Silo : new Uri(body.Address);
        if (address is null)
        {
            await Problems.WriteAsync(context, Problems.InvalidMember($"'address' is required: node {id} is not known to this gateway"));
            return;
        }

        var kind = body.Role == "learner" ? MembershipRequestKind.AddLearner : MembershipRequestKind.AddVoter;
        await ChangeAsync(context, new MembershipRequest(kind, id, address));
    }

    public async Task RemoveAsync(HttpContext context)
    {
        if (!long.TryParse(context.Request.RouteValues["id"] as string, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
        {
            await Problems.WriteAsync(context, Problems.InvalidMember("the node id in the path must be a positive integer"));
            return;
        }

        await ChangeAsync(context, new MembershipRequest(MembershipRequestKind.Remove, id));
    }

    public async Task TransferAsync(HttpContext context)
    {
        if (await ReadAsync(context, JsonReply.Context.LeaderRequest) is not { } body)
        {
            return;
        }

        if (body.Id is not > 0)
        {
            await Problems.WriteAsync(context, Problems.InvalidMember("'id' must be a positive node id"));
            return;
        }

        var to = body.Id.Value;
        using var deadline = Deadline(context, options.MembershipDeadline);
        if (await forwarder.LeaderStatusAsync(deadline.Token) is not { } leader)
        {
            await NoLeaderAsync(context, "no silo answered as leader before the deadline");
            return;
        }

        if (!leader.Voters.Contains(to))
        {
            await Problems.WriteAsync(
                context,
                leader.Learners.Contains(to)
                    ? Problems.MembershipConflict("notVoter", $"node {to} is a learner: only a voter can lead")
                    : Problems.NotMember($"node {to} is not a member of the group"));
            return;
        }

        if (await forwarder.TransferAsync(to, deadline.Token) is { } status)
        {
            await JsonReply.WriteAsync(context, new LeaderReply(status.NodeId, status.Term), JsonReply.Context.LeaderReply);
            return;
        }

        await Problems.WriteAsync(
            context,
            Problems.OutcomeUnknown($"node {to} did not take leadership before the deadline ({options.MembershipDeadlineMs} ms); GET /v1/cluster shows who leads"));
    }

    private async Task ChangeAsync(HttpContext context, MembershipRequest request)
    {
        using var deadline = Deadline(context, options.MembershipDeadline);
        var result = await forwarder.ChangeAsync(request, deadline.Token);
        var id = request.NodeId;
        switch (result.Status)
        {
            case MembershipStatus.Ok:
                var role = request.Kind == MembershipRequestKind.Remove ? null : result.Voters.Contains(id) ? "voter" : "learner";
                await JsonReply.WriteAsync(context, new MemberChangeReply(id, role, result.Voters, result.Learners), JsonReply.Context.MemberChangeReply);
                break;
            case MembershipStatus.Refused:
                await Problems.WriteAsync(context, Refused(result, id));
                break;
            case MembershipStatus.Timeout:
                await Problems.WriteAsync(
                    context,
                    Problems.OutcomeUnknown($"{result.Detail}; the change may have taken effect: GET /v1/cluster/members shows the configuration"));
                break;
            default:
                await NoLeaderAsync(context, result.Detail ?? "no leader took the change");
                break;
        }
    }

    private static ProblemReply Refused(MembershipResult result, long id)
    {
        var detail = result.Detail ?? result.Reason.ToString();
        return result.Reason switch
        {
            ProposeStatus.NotMember => Problems.NotMember(detail),
            ProposeStatus.AlreadyMember or ProposeStatus.NotLearner => Problems.MembershipConflict("alreadyMember", detail),
            ProposeStatus.LastVoter => Problems.MembershipConflict("lastVoter", detail),
            ProposeStatus.ChangeInProgress => Problems.MembershipConflict("changeInProgress", detail),
            ProposeStatus.TransferInProgress => Problems.MembershipConflict("transferInProgress", detail),
            // The replica refused the request itself (an address it cannot use): nothing was proposed.
            ProposeStatus.Accepted => Problems.InvalidMember(detail),
            _ => Problems.MembershipConflict(JsonNamingPolicy.CamelCase.ConvertName(result.Reason.ToString()), $"node {id}: {detail}"),
        };
    }

    private static string? Validate(MemberRequest body)
    {
        if (body.Id is not > 0)
        {
            return "'id' must be a positive node id";
        }

        if (body.Role is not (null or "voter" or "learner"))
        {
            return $"'role' must be \"voter\" or \"learner\", not '{Problems.Shorten(body.Role)}'";
        }

        if (body.Address is { } text
            && (!Uri.TryCreate(text, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https")
                || address.PathAndQuery != "/" || address.Fragment.Length > 0 || address.UserInfo.Length > 0))
        {
            return $"'address' must be a silo's base address such as http://10.0.0.4:7001, not '{Problems.Shorten(text)}'";
        }

        return null;
    }

    private MemberReply Member(long id, string role) => new(id, silos.Find(id)?.Silo.GetLeftPart(UriPartial.Authority), role);

    /// <summary>The JSON body, or null once the problem with it was written (nothing is written when the client went away).</summary>
    private static async Task<T?> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        var read = await RequestBody.ReadAsync(context, MaxBodyBytes);
        ProblemReply problem;
        try
        {
            if (read.Aborted)
            {
                return null;
            }

            if (read.Problem is not null)
            {
                // Too large or too slow: the rest of the body is not read, so the connection cannot be reused.
                await Problems.WriteAsync(context, read.Problem, closeConnection: true);
                return null;
            }

            if (read.Buffer is null)
            {
                problem = Problems.InvalidMember("a JSON body is required");
            }
            else if (JsonSerializer.Deserialize(read.Value.Span, type) is { } body)
            {
                return body;
            }
            else
            {
                problem = Problems.InvalidMember("the body must be a JSON object");
            }
        }
        catch (JsonException e)
        {
            problem = Problems.InvalidMember($"malformed JSON: {e.Message}");
        }
        finally
        {
            read.Return();
        }

        await Problems.WriteAsync(context, problem);
        return null;
    }

    private Task NoLeaderAsync(HttpContext context, string detail) =>
        context.RequestAborted.IsCancellationRequested
            ? Task.CompletedTask
            : Problems.WriteAsync(context, Problems.NoLeader(detail), options.RetryAfterSeconds);

    private static CancellationTokenSource Deadline(HttpContext context, TimeSpan limit)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(limit);
        return deadline;
    }
}
