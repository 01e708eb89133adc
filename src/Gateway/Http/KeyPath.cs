using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace OrleansRaft.Gateway.Http;

/// <summary>
/// Takes the key from the raw request target. Kestrel leaves %2F encoded in the decoded path but decodes %25, so
/// "a%252Fb" and "a%2Fb" would look alike there: only the raw segment, decoded once here, is unambiguous.
/// </summary>
internal static class KeyPath
{
    public const int MaxKeyBytes = 1024;

    public const string Prefix = "/v1/kv/";

    public const string AppendSuffix = "/append";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The key of a <c>/v1/kv/{key}</c> (or, with <paramref name="append"/>, <c>/v1/kv/{key}/append</c>) request.</summary>
    public static bool TryRead(HttpContext context, bool append, out string key, out ProblemReply? problem)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            // No raw target (some test hosts): the path with %2F still encoded is the closest.
            raw = context.Request.PathBase.Add(context.Request.Path).ToUriComponent();
        }

        return TryDecode(raw, append, out key, out problem);
    }

    /// <summary>Whether the raw target addresses the empty key, e.g. <c>/v1/kv/</c> or <c>/v1/kv//append</c>.</summary>
    public static bool IsEmptyKey(string rawTarget)
    {
        var path = PathOf(rawTarget);
        return path.Equals(Prefix, StringComparison.OrdinalIgnoreCase)
            || path.Equals(Prefix + AppendSuffix, StringComparison.OrdinalIgnoreCase);
    }

    public static bool TryDecode(string rawTarget, bool append, out string key, out ProblemReply? problem)
    {
        key = string.Empty;
        var path = PathOf(rawTarget);
        if (!path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            problem = Problems.InvalidKey("the request target must be /v1/kv/{key} with the key as one percent-encoded segment");
            return false;
        }

        var rest = path[Prefix.Length..];
        var slash = rest.IndexOf('/');
        var segment = slash < 0 ? rest : rest[..slash];
        var suffix = slash < 0 ? ReadOnlySpan<char>.Empty : rest[slash..];
        if (!suffix.Equals(append ? AppendSuffix : string.Empty, StringComparison.OrdinalIgnoreCase))
        {
            problem = Problems.InvalidKey("a '/' inside a key must be sent as %2F: the key is one path segment");
            return false;
        }

        return TryDecodeSegment(segment, out key, out problem);
    }

    /// <summary>Strict percent-decoding (RFC 3986 §2.1) of one segment, then strict UTF-8; 1 to 1024 bytes.</summary>
    public static bool TryDecodeSegment(ReadOnlySpan<char> segment, out string key, out ProblemReply? problem)
    {
        key = string.Empty;
        if (segment.IsEmpty)
        {
            problem = Problems.InvalidKey("the key is empty; it must be 1 to 1024 bytes of UTF-8");
            return false;
        }

        // Each byte of a key takes at most 3 characters (%XX), so a longer segment is too long whatever it holds.
        if (segment.Length > 3 * MaxKeyBytes)
        {
            problem = TooLong();
            return false;
        }

        // Without '%' and non-ASCII the segment is the key itself: no decoding buffer needed.
        if (segment.IndexOfAnyExceptInRange((char)0x20, (char)0x7E) < 0 && !segment.Contains('%'))
        {
            if (segment.Length > MaxKeyBytes)
            {
                problem = TooLong();
                return false;
            }

            key = segment.ToString();
            problem = null;
            return true;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxKeyBytes + 4);
        try
        {
            var length = 0;
            for (var i = 0; i < segment.Length; i++)
            {
                // One step adds at most 4 bytes, so the buffer of MaxKeyBytes + 4 never overflows.
                if (length > MaxKeyBytes)
                {
                    problem = TooLong();
                    return false;
                }

                var c = segment[i];
                if (c == '%')
                {
                    if (i + 2 >= segment.Length || !IsHex(segment[i + 1]) || !IsHex(segment[i + 2]))
                    {
                        problem = Problems.InvalidKey($"invalid percent-encoding at character {i + 1} of the key: '%' must be followed by two hex digits");
                        return false;
                    }

                    buffer[length++] = (byte)((HexValue(segment[i + 1]) << 4) | HexValue(segment[i + 2]));
                    i += 2;
                }
                else if (c < 0x80)
                {
                    buffer[length++] = (byte)c;
                }
                else
                {
                    // A raw non-ASCII character (the target was valid UTF-8): take its UTF-8 bytes.
                    if (Rune.DecodeFromUtf16(segment[i..], out var rune, out var used) != OperationStatus.Done)
                    {
                        problem = Problems.InvalidKey("the key is not valid UTF-8");
                        return false;
                    }

                    length += rune.EncodeToUtf8(buffer.AsSpan(length));
                    i += used - 1;
                }
            }

            if (length > MaxKeyBytes)
            {
                problem = TooLong();
                return false;
            }

            try
            {
                key = StrictUtf8.GetString(buffer, 0, length);
            }
            catch (DecoderFallbackException)
            {
                problem = Problems.InvalidKey("the percent-decoded key is not valid UTF-8");
                return false;
            }

            problem = null;
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The path of a raw target: no query, and no scheme and authority when it came in absolute form.</summary>
    private static ReadOnlySpan<char> PathOf(string rawTarget)
    {
        var target = rawTarget.AsSpan();
        var query = target.IndexOfAny('?', '#');
        if (query >= 0)
        {
            target = target[..query];
        }

        if (!target.StartsWith('/'))
        {
            var scheme = target.IndexOf("://", StringComparison.Ordinal);
            if (scheme > 0)
            {
                var afterAuthority = target[(scheme + 3)..];
                var slash = afterAuthority.IndexOf('/');
                target = slash < 0 ? "/" : afterAuthority[slash..];
            }
        }

        return target;
    }

    private static ProblemReply TooLong() => Problems.InvalidKey($"the key is longer than {MaxKeyBytes} bytes of UTF-8");

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
