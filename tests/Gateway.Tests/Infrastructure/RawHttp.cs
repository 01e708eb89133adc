using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace OrleansRaft.Gateway.Tests.Infrastructure;

/// <summary>HTTP/1.1 over a bare TCP socket: exact request bytes, and a client that can stall on purpose.</summary>
internal sealed class RawHttp : IDisposable
{
    private readonly TcpClient tcp = new() { NoDelay = true };
    private NetworkStream? stream;

    public static async Task<RawHttp> ConnectAsync(Uri server)
    {
        var raw = new RawHttp();
        await raw.tcp.ConnectAsync(server.Host, server.Port);
        raw.stream = raw.tcp.GetStream();
        return raw;
    }

    /// <summary>Sends one request with the given head lines and body, then reads the response.</summary>
    public static async Task<RawHttpResponse> SendAsync(Uri server, string requestLine, IEnumerable<string> headers, byte[]? body = null)
    {
        using var raw = await ConnectAsync(server);
        var head = new StringBuilder().Append(requestLine).Append("\r\n");
        if (!headers.Any(h => h.StartsWith("Host:", StringComparison.OrdinalIgnoreCase)))
        {
            head.Append("Host: test\r\n");
        }

        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        await raw.WriteAsync(Encoding.Latin1.GetBytes(head.Append("\r\n").ToString()));
        if (body is not null)
        {
            await raw.WriteAsync(body);
        }

        return await raw.ReadResponseAsync(TimeSpan.FromSeconds(30));
    }

    public Task WriteAsync(byte[] bytes) => stream!.WriteAsync(bytes).AsTask();

    /// <summary>Reads one response (Content-Length or chunked body); then whether the server closed the connection.</summary>
    public async Task<RawHttpResponse> ReadResponseAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var clock = Stopwatch.StartNew();
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        var closed = false;

        async Task<bool> More()
        {
            var read = await stream!.ReadAsync(chunk, cancel.Token);
            if (read == 0)
            {
                closed = true;
                return false;
            }

            buffer.AddRange(chunk.AsSpan(0, read));
            return true;
        }

        int headEnd;
        while ((headEnd = IndexOf(buffer, "\r\n\r\n"u8)) < 0)
        {
            if (!await More())
            {
                throw new IOException($"connection closed after {buffer.Count} bytes without a response head ({clock.ElapsedMilliseconds} ms)");
            }
        }

        var head = Encoding.Latin1.GetString(buffer.GetRange(0, headEnd).ToArray()).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = head.Skip(1).Select(line => line.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        var bodyStart = headEnd + 4;
        byte[] body;
        if (headers.TryGetValue("content-length", out var lengthText))
        {
            var length = int.Parse(lengthText, CultureInfo.InvariantCulture);
            while (buffer.Count - bodyStart < length && await More())
            {
            }

            body = buffer.GetRange(bodyStart, Math.Min(length, buffer.Count - bodyStart)).ToArray();
        }
        else if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (IndexOf(buffer, "\r\n0\r\n\r\n"u8, bodyStart - 2) < 0 && await More())
            {
            }

            body = Dechunk(buffer.GetRange(bodyStart, buffer.Count - bodyStart).ToArray());
        }
        else
        {
            body = [];
        }

        // After the response: does the server close? Wait briefly for EOF only when it said it would.
        if (!closed && headers.TryGetValue("connection", out var connection) && connection.Contains("close", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                while (await More())
                {
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        return new RawHttpResponse(status, headers, Encoding.UTF8.GetString(body), closed);
    }

    public void Dispose()
    {
        stream?.Dispose();
        tcp.Dispose();
    }

    private static int IndexOf(List<byte> buffer, ReadOnlySpan<byte> pattern, int from = 0)
    {
        for (var i = Math.Max(0, from); i + pattern.Length <= buffer.Count; i++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++)
            {
                match = buffer[i + j] == pattern[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }

    private static byte[] Dechunk(byte[] data)
    {
        var output = new List<byte>();
        var position = 0;
        while (position < data.Length)
        {
            var lineEnd = Array.IndexOf(data, (byte)'\r', position);
            if (lineEnd < 0)
            {
                break;
            }

            var size = int.Parse(Encoding.ASCII.GetString(data, position, lineEnd - position), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                break;
            }

            output.AddRange(data.AsSpan(lineEnd + 2, size));
            position = lineEnd + 2 + size + 2;
        }

        return [.. output];
    }
}
