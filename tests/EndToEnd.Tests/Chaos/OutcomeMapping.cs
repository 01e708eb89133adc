using System.Net;
using System.Text.Json;
using OrleansRaft.Testing.Linearizability;

namespace OrleansRaft.EndToEnd.Tests.Chaos;

/// <summary>
/// Maps a gateway answer to what it proves, by API.md and nothing else: only the statuses the contract says were not
/// applied count as <see cref="AttemptOutcome.NotApplied"/>; everything in doubt is <see cref="AttemptOutcome.Unknown"/>.
/// </summary>
public static class OutcomeMapping
{
    private const string KeyNotFound = "urn:orleansraft:problem:key-not-found";

    public static ClassifiedAttempt Classify(KvOperationKind kind, GatewayAttempt attempt)
    {
        if (attempt.Status is not { } status)
        {
            // A timeout or a broken connection: the gateway may have forwarded it.
            return new(AttemptOutcome.Unknown, null, null);
        }

        var code = (int)status;
        if (code is >= 200 and < 300)
        {
            return new(AttemptOutcome.Done, kind == KvOperationKind.Get ? attempt.Text : null, null);
        }

        return status switch
        {
            HttpStatusCode.NotFound when kind == KvOperationKind.Get && ProblemType(attempt) == KeyNotFound => new(AttemptOutcome.Done, null, null),

            // API.md: no leader reachable before the deadline, not applied; it comes with Retry-After.
            HttpStatusCode.ServiceUnavailable when attempt.HasRetryAfter => new(AttemptOutcome.NotApplied, null, null),
            HttpStatusCode.GatewayTimeout => new(AttemptOutcome.Unknown, null, null),

            // Rejected before forwarding, not applied; but every request of this workload is valid.
            HttpStatusCode.BadRequest or HttpStatusCode.MethodNotAllowed or HttpStatusCode.RequestEntityTooLarge =>
                new(AttemptOutcome.NotApplied, null, attempt.ToString()),

            // 409 (a reply the replicas forgot), 500, a 503 without Retry-After, …: the contract promises nothing.
            _ => new(AttemptOutcome.Unknown, null, attempt.ToString()),
        };
    }

    private static string? ProblemType(GatewayAttempt attempt)
    {
        try
        {
            using var problem = JsonDocument.Parse(attempt.Body);
            return problem.RootElement.ValueKind == JsonValueKind.Object && problem.RootElement.TryGetProperty("type", out var type) ? type.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
