using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace OrleansRaft.Gateway.Http;

/// <summary>Reads a value of at most the configured size: refused up front by Content-Length, or once a chunked body passes it.</summary>
internal static class RequestBody
{
    private const int FirstChunkedBuffer = 4096;

    /// <summary>Whether the request carries a body (Content-Length above 0, chunked, or an HTTP/2 DATA stream).</summary>
    public static bool IsPresent(HttpContext context) =>
        context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? context.Request.ContentLength > 0;

    public static async ValueTask<BodyReadResult> ReadAsync(HttpContext context, long maxBytes)
    {
        var declared = context.Request.ContentLength;
        if (declared > maxBytes)
        {
            return new BodyReadResult(null, 0, TooLarge(maxBytes, $"Content-Length {declared}"), false);
        }

        if (declared == 0 || !IsPresent(context))
        {
            return default;
        }

        // Known length: one exact buffer. Chunked: grow by doubling, never past one byte over the limit.
        var capacity = declared is { } length ? (int)length : (int)Math.Min(FirstChunkedBuffer, maxBytes + 1);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 1));
        var count = 0;
        try
        {
            var body = context.Request.Body;
            while (true)
            {
                // Pooled arrays come rounded up: never read more than one byte past the limit.
                var limit = (int)Math.Min(buffer.Length, maxBytes + 1);
                if (count == limit)
                {
                    if (count > maxBytes)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return new BodyReadResult(null, 0, TooLarge(maxBytes, "the chunked body"), false);
                    }

                    var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, count).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = grown;
                }

                var read = await body.ReadAsync(buffer.AsMemory(count, (int)Math.Min(buffer.Length, maxBytes + 1) - count), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                count += read;
            }

            if (count > maxBytes)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return new BodyReadResult(null, 0, TooLarge(maxBytes, "the chunked body"), false);
            }

            return new BodyReadResult(buffer, count, null, false);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own limits: 408 for a body that stalls (MinRequestBodyDataRate), 413, 400 for bad framing.
            ArrayPool<byte>.Shared.Return(buffer);
            return new BodyReadResult(null, 0, Problems.BadBody(e.StatusCode, e.Message), false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return new BodyReadResult(null, 0, null, true);
        }
    }

    private static ProblemReply TooLarge(long maxBytes, string what) =>
        Problems.ValueTooLarge($"{what} exceeds the largest value, {maxBytes} bytes");
}
