using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace OrleansRaft.Gateway.Http;

/// <summary>The gateway's problem types (RFC 9457) and how one is written.</summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    private const string TypePrefix = "urn:orleansraft:problem:";

    public static ProblemReply InvalidKey(string detail) => new(TypePrefix + "invalid-key", "Invalid key", StatusCodes.Status400BadRequest, detail);

    public static ProblemReply InvalidConsistency(string detail) => new(TypePrefix + "invalid-consistency", "Invalid consistency", StatusCodes.Status400BadRequest, detail);

    public static ProblemReply InvalidIdempotencyKey(string detail) => new(TypePrefix + "invalid-idempotency-key", "Invalid Idempotency-Key", StatusCodes.Status400BadRequest, detail);

    public static ProblemReply UnexpectedBody(string detail) => new(TypePrefix + "unexpected-body", "Unexpected request body", StatusCodes.Status400BadRequest, detail);

    public static ProblemReply BadBody(int status, string detail) => status switch
    {
        StatusCodes.Status408RequestTimeout => new(TypePrefix + "body-timeout", "Request body too slow", status, detail),
        StatusCodes.Status413PayloadTooLarge => ValueTooLarge(detail),
        _ => new(TypePrefix + "bad-request", "Bad request", StatusCodes.Status400BadRequest, detail),
    };

    public static ProblemReply ValueTooLarge(string detail) => new(TypePrefix + "value-too-large", "Value too large", StatusCodes.Status413PayloadTooLarge, detail);

    public static ProblemReply KeyNotFound(string key) => new(TypePrefix + "key-not-found", "Key not found", StatusCodes.Status404NotFound, $"no value for key '{Shorten(key)}'");

    public static ProblemReply RouteNotFound(string detail) => new(TypePrefix + "route-not-found", "Not found", StatusCodes.Status404NotFound, detail);

    public static ProblemReply MethodNotAllowed(string detail) => new(TypePrefix + "method-not-allowed", "Method not allowed", StatusCodes.Status405MethodNotAllowed, detail);

    /// <summary>A retried Idempotency-Key whose first reply the replicas no longer keep (409, see README).</summary>
    public static ProblemReply IdempotencyKeyExpired(string detail) => new(TypePrefix + "idempotency-key-expired", "Idempotency-Key reply no longer known", StatusCodes.Status409Conflict, detail);

    public static ProblemReply InvalidMember(string detail) => new(TypePrefix + "invalid-member", "Invalid membership request", StatusCodes.Status400BadRequest, detail);

    public static ProblemReply NotMember(string detail) => new(TypePrefix + "not-a-member", "Not a member", StatusCodes.Status404NotFound, detail, "notMember");

    /// <param name="reason">Why, in camelCase: alreadyMember, lastVoter, changeInProgress, transferInProgress, notVoter.</param>
    public static ProblemReply MembershipConflict(string reason, string detail) => new(TypePrefix + "membership-conflict", "Membership change refused", StatusCodes.Status409Conflict, detail, reason);

    public static ProblemReply NoLeader(string detail) => new(TypePrefix + "no-leader", "No leader reachable", StatusCodes.Status503ServiceUnavailable, detail);

    public static ProblemReply NotReady(string detail) => new(TypePrefix + "not-ready", "Not ready", StatusCodes.Status503ServiceUnavailable, detail);

    public static ProblemReply OutcomeUnknown(string detail) => new(TypePrefix + "outcome-unknown", "Outcome unknown", StatusCodes.Status504GatewayTimeout, detail);

    public static ProblemReply Unexpected(string detail) => new(TypePrefix + "unexpected-reply", "Unexpected replica reply", StatusCodes.Status502BadGateway, detail);

    public static ProblemReply Internal(string detail) => new(TypePrefix + "internal-error", "Internal error", StatusCodes.Status500InternalServerError, detail);

    public static ProblemReply Generic(int status, string detail) => new(TypePrefix + "http-" + status.ToString(CultureInfo.InvariantCulture), ReasonPhrases(status), status, detail);

    /// <param name="retryAfterSeconds">Sent as Retry-After with a 503.</param>
    public static Task WriteAsync(HttpContext context, ProblemReply problem, int retryAfterSeconds = 0, bool closeConnection = false)
    {
        var response = context.Response;
        response.StatusCode = problem.Status;
        if (retryAfterSeconds > 0)
        {
            response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        // A body left unread (too large, too slow) is not drained: HTTP/1.1 closes instead. HTTP/2 resets the stream itself.
        if (closeConnection && HttpProtocol.IsHttp11(context.Request.Protocol))
        {
            response.Headers.Connection = "close";
        }

        response.Headers.CacheControl = "no-store";
        return JsonReply.WriteAsync(context, problem, JsonReply.Context.ProblemReply, ContentType);
    }

    /// <summary>User text (a key, a path) in a detail, cut to a readable length.</summary>
    public static string Shorten(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 100), "…");

    private static string ReasonPhrases(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
}
