using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansRaft.Testing.Browser;

/// <summary>
/// One WebSocket to Chromium's DevTools endpoint: commands (JSON with an id, answered by the same id) and events
/// (JSON with a method and no id). Pages are reached over the same socket as flattened sessions
/// (<c>Target.attachToTarget</c> with <c>flatten</c>): their commands and events carry a <c>sessionId</c>.
/// </summary>
public sealed class DevToolsConnection : IAsyncDisposable
{
    private readonly ClientWebSocket socket;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> pending = new();
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly CancellationTokenSource closing = new();
    private readonly Task receiving;
    private long nextId;
    private volatile string? closedBecause;

    private DevToolsConnection(ClientWebSocket socket)
    {
        this.socket = socket;
        receiving = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Every event: (method, sessionId or null for the browser, params).</summary>
    public event Action<string, string?, JsonElement>? EventReceived;

    public static async Task<DevToolsConnection> ConnectAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new DevToolsConnection(socket);
    }

    /// <summary>Sends a command and returns its <c>result</c>; throws with Chromium's error when it answers one.</summary>
    public async Task<JsonElement> SendAsync(string method, JsonObject? parameters, string? sessionId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var id = Interlocked.Increment(ref nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        if (sessionId is not null)
        {
            message["sessionId"] = sessionId;
        }

        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = answer;
        try
        {
            if (closedBecause is { } reason)
            {
                throw new InvalidOperationException($"DevTools {method}: the connection is closed ({reason})");
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, closing.Token);
            wait.CancelAfter(timeout);
            var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
            await sendLock.WaitAsync(wait.Token);
            try
            {
                await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, wait.Token);
            }
            finally
            {
                sendLock.Release();
            }

            try
            {
                return await answer.Task.WaitAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"DevTools {method}: no answer within {timeout.TotalSeconds:0.#} s{(closedBecause is null ? string.Empty : $" ({closedBecause})")}");
            }
        }
        finally
        {
            pending.TryRemove(id, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        closedBecause ??= "disposed";
        await closing.CancelAsync();
        try
        {
            await receiving;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Closed under it: nothing more to read.
        }

        socket.Dispose();
        closing.Dispose();
        sendLock.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 << 10];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, closing.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    closedBecause ??= "Chromium closed the DevTools connection";
                    break;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                Dispatch(message.GetBuffer().AsMemory(0, (int)message.Length));
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            closedBecause ??= $"the DevTools connection broke: {e.Message}";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // A message (or an event handler reading it) this code does not understand: say so to every waiting command.
            closedBecause ??= $"could not read a DevTools message: {e.Message}";
        }
        finally
        {
            foreach (var waiting in pending.Values)
            {
                waiting.TrySetException(new InvalidOperationException($"DevTools: {closedBecause}"));
            }
        }
    }

    private void Dispatch(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var sessionId = root.TryGetProperty("sessionId", out var session) ? session.GetString() : null;
        if (root.TryGetProperty("id", out var idElement))
        {
            if (!pending.TryGetValue(idElement.GetInt64(), out var answer))
            {
                return;
            }

            if (root.TryGetProperty("error", out var error))
            {
                answer.TrySetException(new InvalidOperationException($"DevTools error: {error.GetRawText()}"));
            }
            else
            {
                answer.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : default);
            }

            return;
        }

        if (root.TryGetProperty("method", out var method))
        {
            var parameters = root.TryGetProperty("params", out var p) ? p.Clone() : default;
            EventReceived?.Invoke(method.GetString() ?? string.Empty, sessionId, parameters);
        }
    }
}
