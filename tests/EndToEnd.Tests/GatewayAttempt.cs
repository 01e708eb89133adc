using System.Globalization;
using System.Net;

namespace OrleansRaft.EndToEnd.Tests;

/// <summary>
/// One request to the gateway: its status and body, or the <see cref="Error"/> (timeout, broken connection) that
/// left it without an answer. <see cref="MediaType"/> is the body's (e.g. application/problem+json).
/// </summary>
public sealed record GatewayAttempt(HttpStatusCode? Status, byte[] Body, bool HasRetryAfter, Exception? Error, string? MediaType = null)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);

    public override string ToString() => Status is { } status
        ? $"{((int)status).ToString(CultureInfo.InvariantCulture)} {(Text.Length > 300 ? Text[..300] + "…" : Text)}"
        : $"{Error?.GetType().Name}: {Error?.Message}";
}
