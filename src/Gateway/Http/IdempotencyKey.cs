using Microsoft.AspNetCore.Http;
using OrleansRaft.Grains.Kv;

namespace OrleansRaft.Gateway.Http;

/// <summary>The <c>Idempotency-Key</c> header: 1 to 128 visible ASCII characters (0x21–0x7E), at most one.</summary>
internal static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";

    public const int MaxLength = 128;

    /// <summary>False with a problem for a malformed header; true with a null request when there is none.</summary>
    public static bool TryRead(HttpContext context, out ClientRequest? request, out ProblemReply? problem)
    {
        request = null;
        problem = null;
        var values = context.Request.Headers[Header];
        if (values.Count == 0)
        {
            return true;
        }

        if (values.Count > 1)
        {
            problem = Problems.InvalidIdempotencyKey("send at most one Idempotency-Key header");
            return false;
        }

        var key = values[0] ?? string.Empty;
        if (key.Length is 0 or > MaxLength)
        {
            problem = Problems.InvalidIdempotencyKey($"the Idempotency-Key must be 1 to {MaxLength} characters; it has {key.Length}");
            return false;
        }

        var bad = key.AsSpan().IndexOfAnyExceptInRange('!', '~');
        if (bad >= 0)
        {
            problem = Problems.InvalidIdempotencyKey($"the Idempotency-Key may hold visible ASCII characters (0x21-0x7E) only; character {bad + 1} is U+{(int)key[bad]:X4}");
            return false;
        }

        request = ClientRequest.ForIdempotencyKey(key);
        return true;
    }
}
