using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OrleansRaft.Gateway.Configuration;
using OrleansRaft.Gateway.Forwarding;
using OrleansRaft.Gateway.Telemetry;
using OrleansRaft.Grains;
using OrleansRaft.Grains.Client;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Grains.Telemetry;

namespace OrleansRaft.Gateway.Http;

/// <summary>
/// <c>/v1/kv/{key}</c>: validates the request, forwards it within the deadline and maps the outcome (API.md):
/// Ok → 200, NotFound → 404, never handed to a leader → 503 + Retry-After, outcome unknown → 504,
/// an Idempotency-Key whose reply is forgotten (Stale) → 409.
/// </summary>
internal sealed partial class KvEndpoints(
    KvForwarder forwarder,
    ClientSessions sessions,
    DeadlinePool deadlines,
    GatewayOptions options,
    ILogger<KvEndpoints> logger)
{
    private const string OctetStream = "application/octet-stream";

    public Task PutAsync(HttpContext context) => WriteAsync(context, KvCall.Put);

    public Task AppendAsync(HttpContext context) => WriteAsync(context, KvCall.Append);

    public Task DeleteAsync(HttpContext context) => WriteAsync(context, KvCall.Delete);

    public async Task GetAsync(HttpContext context)
    {
        try
        {
            if (!KeyPath.TryRead(context, append: false, out var key, out var problem)
                || !TryReadConsistency(context, out var consistency, out problem))
            {
                await Problems.WriteAsync(context, problem!);
                return;
            }

            if (RequestBody.IsPresent(context))
            {
                await Problems.WriteAsync(context, Problems.UnexpectedBody("a GET carries no request body"), closeConnection: true);
                return;
            }

            var deadline = deadlines.Rent();
            KvResponse response;
            try
            {
                var call = ForwardedCall.Read(key, consistency);
                response = consistency == ReadConsistency.Stale
                    ? await forwarder.ToAnyAsync(call, deadline.Token)
                    : await forwarder.ToLeaderAsync(call, deadline.Token);
            }
            finally
            {
                deadlines.Return(deadline);
            }

            GatewayDiagnostics.CurrentSpan?.SetTag(RaftTelemetry.KvConsistencyAttribute, consistency == ReadConsistency.Stale ? "stale" : "linearizable")
                .SetTag(RaftTelemetry.KvStatusAttribute, response.Status.ToString());
            switch (response.Status)
            {
                case KvStatus.Ok:
                    var value = response.Value ?? [];
                    context.Response.StatusCode = StatusCodes.Status200OK;
                    context.Response.ContentType = OctetStream;
                    context.Response.ContentLength = value.Length;
                    await context.Response.Body.WriteAsync(value, context.RequestAborted);
                    return;
                case KvStatus.NotFound:
                    await Problems.WriteAsync(context, Problems.KeyNotFound(key));
                    return;
                default:
                    await WriteFailureAsync(context, response, "the read", idempotent: false);
                    return;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException and not IOException || !context.RequestAborted.IsCancellationRequested)
        {
            await FailAsync(context, e);
        }
    }

    private async Task WriteAsync(HttpContext context, KvCall call)
    {
        try
        {
            if (!KeyPath.TryRead(context, append: call == KvCall.Append, out var key, out var problem)
                || !IdempotencyKey.TryRead(context, out var idempotent, out problem))
            {
                await Problems.WriteAsync(context, problem!, closeConnection: RequestBody.IsPresent(context));
                return;
            }

            var body = default(BodyReadResult);
            if (call != KvCall.Delete)
            {
                body = await RequestBody.ReadAsync(context, options.MaxValueBytes);
                if (body.Aborted)
                {
                    context.Abort();
                    return;
                }

                if (body.Problem is { } bodyProblem)
                {
                    await Problems.WriteAsync(context, bodyProblem, closeConnection: true);
                    return;
                }
            }

            KvResponse response;
            var slot = idempotent is null ? sessions.Rent() : null;
            var deadline = deadlines.Rent();
            try
            {
                // Retries inside the forwarder reuse this identity, so the write applies at most once.
                var request = idempotent ?? slot!.Next();
                response = await forwarder.ToLeaderAsync(ForwardedCall.Write(call, key, body.Value, request), deadline.Token);
            }
            finally
            {
                deadlines.Return(deadline);
                if (slot is not null)
                {
                    sessions.Return(slot);
                }

                body.Return();
            }

            GatewayDiagnostics.CurrentSpan?.SetTag(RaftTelemetry.KvIdempotentAttribute, idempotent is not null)
                .SetTag(RaftTelemetry.KvStatusAttribute, response.Status.ToString());
            if (response.Status != KvStatus.Ok)
            {
                await WriteFailureAsync(context, response, "the write", idempotent is not null);
                return;
            }

            await (call switch
            {
                KvCall.Put => JsonReply.WriteAsync(context, new PutReply(response.Index), JsonReply.Context.PutReply),
                KvCall.Append => JsonReply.WriteAsync(context, new AppendReply(response.Index, response.Length), JsonReply.Context.AppendReply),
                _ => JsonReply.WriteAsync(context, new DeleteReply(response.Index, response.Deleted), JsonReply.Context.DeleteReply),
            });
        }
        catch (Exception e) when (e is not OperationCanceledException and not IOException || !context.RequestAborted.IsCancellationRequested)
        {
            await FailAsync(context, e);
        }
    }

    private Task WriteFailureAsync(HttpContext context, KvResponse response, string what, bool idempotent) => response.Status switch
    {
        KvStatus.Unavailable => Problems.WriteAsync(
            context,
            Problems.NoLeader($"{what} reached no leader within {options.DeadlineMs} ms and was not applied: {response.Detail}"),
            options.RetryAfterSeconds),
        KvStatus.Timeout => Problems.WriteAsync(
            context,
            Problems.OutcomeUnknown(what == "the read"
                ? $"a leader took the read but gave no answer within {options.DeadlineMs} ms: {response.Detail}"
                : $"a leader took the write but its commit was not seen within {options.DeadlineMs} ms; it may or may not be applied: retry with the same Idempotency-Key ({response.Detail})")),
        KvStatus.Stale when idempotent => Problems.WriteAsync(
            context,
            Problems.IdempotencyKeyExpired("this Idempotency-Key was used before and the replicas no longer keep its reply, so its outcome cannot be returned; read the key to see its state and use a new Idempotency-Key")),
        KvStatus.Stale => Problems.WriteAsync(
            context,
            Problems.OutcomeUnknown($"the gateway's retry of the write came too late for the replicas to answer it; it may or may not be applied ({response.Detail})")),
        _ => Problems.WriteAsync(context, Problems.Unexpected($"the replica answered {response.Status}: {response.Detail}")),
    };

    private static bool TryReadConsistency(HttpContext context, out ReadConsistency consistency, out ProblemReply? problem)
    {
        consistency = ReadConsistency.Linearizable;
        problem = null;
        if (!context.Request.QueryString.HasValue)
        {
            return true;
        }

        var values = context.Request.Query["consistency"];
        if (values.Count == 0)
        {
            return true;
        }

        switch (values.Count == 1 ? values[0] : null)
        {
            case "stale":
                consistency = ReadConsistency.Stale;
                return true;
            case "linearizable":
                return true;
            default:
                problem = Problems.InvalidConsistency($"consistency must be 'stale' (any replica's applied state) or absent (linearizable); got '{Problems.Shorten(string.Join(',', values.ToArray()))}'");
                return false;
        }
    }

    private async Task FailAsync(HttpContext context, Exception e)
    {
        LogUnexpected(e, context.Request.Method, context.Request.Path);
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await Problems.WriteAsync(context, Problems.Internal("the gateway failed to handle the request; see its log"));
        }
        else
        {
            context.Abort();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure handling {Method} {Path}")]
    private partial void LogUnexpected(Exception exception, string method, PathString path);
}
