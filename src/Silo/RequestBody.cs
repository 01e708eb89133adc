using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace OrleansRaft.Silo;

/// <summary>Reads a request body into one array, refusing it as soon as it passes a size limit.</summary>
internal static class RequestBody
{
    // Small: most bodies without a Content-Length are one small message; the buffer doubles as needed.
    private const int InitialChunk = 4 << 10;

    /// <summary>
    /// The whole body; or a problem+json 413 once more than <paramref name="maxBytes"/> arrived or were announced,
    /// a 400 (or Kestrel's own status) for a broken body, and an empty result when the client reset the stream.
    /// </summary>
    /// <remarks>
    /// The array is not pooled: decoded entries are slices of it and live on in the log, so the body is the
    /// one copy an entry payload makes between the socket and the store.
    /// </remarks>
    public static async Task<BodyReadResult> ReadAsync(HttpContext context, int maxBytes)
    {
        try
        {
            return await ReadBoundedAsync(context, maxBytes) is { } body
                ? new BodyReadResult(body, null)
                : new BodyReadResult(null, TooLarge(maxBytes));
        }
        catch (BadHttpRequestException e)
        {
            var refusal = e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? TooLarge(maxBytes)
                : Results.Problem(statusCode: e.StatusCode, title: "Unreadable request body", detail: e.Message);
            return new BodyReadResult(null, refusal);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client reset the stream or the connection dropped: there is nobody to answer.
            return new BodyReadResult(null, Results.Empty);
        }
    }

    private static IResult TooLarge(int maxBytes) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large", detail: $"the limit is {maxBytes} bytes");

    private static async Task<byte[]?> ReadBoundedAsync(HttpContext context, int maxBytes)
    {
        var announced = context.Request.ContentLength;
        if (announced > maxBytes)
        {
            return null;
        }

        // Our own limit decides (with a 413 of ours); Kestrel's stays just above it as a backstop.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = (long)maxBytes + 1;
        }

        var buffer = new byte[announced is { } length ? (int)Math.Min(length + 1, (long)maxBytes + 1) : Math.Min(InitialChunk, maxBytes + 1)];
        var filled = 0;
        var body = context.Request.Body;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (filled > maxBytes)
                {
                    return null;
                }

                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, (long)maxBytes + 1));
            }

            var read = await body.ReadAsync(buffer.AsMemory(filled), context.RequestAborted);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        if (filled > maxBytes)
        {
            return null;
        }

        if (filled != buffer.Length)
        {
            Array.Resize(ref buffer, filled);
        }

        return buffer;
    }
}
