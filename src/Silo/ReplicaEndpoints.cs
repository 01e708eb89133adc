using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OrleansRaft.Grains;
using OrleansRaft.Grains.Client;
using OrleansRaft.Grains.Kv;

namespace OrleansRaft.Silo;

/// <summary>
/// The internal replica API under <c>/replica/v1/{group}</c> that <see cref="KvReplicaClient"/> calls: every
/// KV outcome, NotLeader included, is a 200 with a <see cref="KvResponse"/>; only a request the silo cannot
/// take at all (unknown group, malformed) is a problem+json error.
/// </summary>
internal sealed class ReplicaEndpoints(SiloOptions options, ReplicaDirectory directory)
{
    public async Task<IResult> KvAsync(long group, HttpContext context)
    {
        if (!directory.TryGet(group, out var grain))
        {
            return UnknownGroup(group);
        }

        var (body, refusal) = await RequestBody.ReadAsync(context, options.MaxMessageBytes);
        if (body is null)
        {
            return refusal!;
        }

        KvRequestMessage? request;
        try
        {
            request = JsonSerializer.Deserialize(body, ReplicaJsonContext.Default.KvRequestMessage);
        }
        catch (JsonException e)
        {
            return BadRequest($"malformed JSON: {e.Message}");
        }

        if (request is null)
        {
            return BadRequest("empty request");
        }

        if (Invalid(request) is { } problem)
        {
            return BadRequest(problem);
        }

        var cancellation = context.RequestAborted;
        var response = request.Call switch
        {
            KvCall.Get => await grain.Get(request.Key, request.Consistency ?? ReadConsistency.Linearizable, cancellation),
            KvCall.Put => await grain.Put(request.Key, request.Value ?? [], request.Request, cancellation),
            KvCall.Append => await grain.Append(request.Key, request.Value ?? [], request.Request, cancellation),
            _ => await grain.Delete(request.Key, request.Request, cancellation),
        };
        return Results.Json(response, ReplicaJsonContext.Default.KvResponse);
    }

    public async Task<IResult> StatusAsync(long group, HttpContext context) =>
        directory.TryGet(group, out var grain)
            ? Results.Json(await grain.Status(context.RequestAborted), ReplicaJsonContext.Default.ReplicaStatus)
            : UnknownGroup(group);

    public async Task<IResult> TransferAsync(long group, long? to, HttpContext context)
    {
        if (!directory.TryGet(group, out var grain))
        {
            return UnknownGroup(group);
        }

        if (to is not > 0)
        {
            return BadRequest("query parameter 'to' must be a positive node id");
        }

        var accepted = await grain.TransferLeadership(to.Value, context.RequestAborted);
        return Results.Json(new TransferReply(accepted), ReplicaJsonContext.Default.TransferReply);
    }

    /// <summary><c>POST /replica/v1/{group}/members</c>: every outcome is a 200 with a <see cref="MembershipResult"/>.</summary>
    public async Task<IResult> AddMemberAsync(long group, HttpContext context)
    {
        if (!directory.TryGet(group, out var grain))
        {
            return UnknownGroup(group);
        }

        var (body, refusal) = await RequestBody.ReadAsync(context, options.MaxMessageBytes);
        if (body is null)
        {
            return refusal!;
        }

        MemberRequestMessage? message;
        try
        {
            message = JsonSerializer.Deserialize(body, ReplicaJsonContext.Default.MemberRequestMessage);
        }
        catch (JsonException e)
        {
            return BadRequest($"malformed JSON: {e.Message}");
        }

        if (message?.ToRequest() is not ({ } request, null))
        {
            return BadRequest(message?.ToRequest().Problem ?? "empty request");
        }

        return Results.Json(await grain.ChangeMembership(request, context.RequestAborted), ReplicaJsonContext.Default.MembershipResult);
    }

    /// <summary><c>DELETE /replica/v1/{group}/members/{id}</c>.</summary>
    public async Task<IResult> RemoveMemberAsync(long group, long id, HttpContext context)
    {
        if (!directory.TryGet(group, out var grain))
        {
            return UnknownGroup(group);
        }

        if (id <= 0)
        {
            return BadRequest("the node id must be positive");
        }

        var result = await grain.ChangeMembership(new MembershipRequest(MembershipRequestKind.Remove, id), context.RequestAborted);
        return Results.Json(result, ReplicaJsonContext.Default.MembershipResult);
    }

    private static string? Invalid(KvRequestMessage request)
    {
        if (!Enum.IsDefined(request.Call))
        {
            return $"unknown call {request.Call}";
        }

        if (string.IsNullOrEmpty(request.Key) || Encoding.UTF8.GetByteCount(request.Key) > ReplicaApi.MaxKeyBytes)
        {
            return $"the key must be 1 to {ReplicaApi.MaxKeyBytes} bytes of UTF-8";
        }

        if (request.Consistency is { } consistency && !Enum.IsDefined(consistency))
        {
            return $"unknown consistency {consistency}";
        }

        if (request.Request is { } client
            && (string.IsNullOrEmpty(client.ClientId) || Encoding.UTF8.GetByteCount(client.ClientId) > ClientRequest.MaxClientIdBytes || client.Sequence <= 0 || client.LowestUnanswered < 0))
        {
            return $"a client request needs a client id of 1 to {ClientRequest.MaxClientIdBytes} bytes and a positive sequence";
        }

        return null;
    }

    private static IResult UnknownGroup(long group) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown group", detail: $"this silo hosts no replica of group {group}");

    private static IResult BadRequest(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad replica request", detail: detail);
}
