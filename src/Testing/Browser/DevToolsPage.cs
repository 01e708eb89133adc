using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansRaft.Testing.Browser;

/// <summary>
/// One open tab of <see cref="HeadlessChromium"/>: evaluates script in it, screenshots it, and records what went
/// wrong inside it (uncaught exceptions, console errors, Content-Security-Policy violations) for a test to assert on.
/// </summary>
public sealed class DevToolsPage : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly DevToolsConnection connection;
    private readonly string targetId;
    private readonly string sessionId;
    private readonly TimeSpan commandTimeout;
    private readonly List<string> problems = [];

    // Per navigation (loaderId): completed by its "load" lifecycle event, which may come before Page.navigate's answer.
    private readonly ConcurrentDictionary<string, TaskCompletionSource> loads = new();

    internal DevToolsPage(DevToolsConnection connection, string targetId, string sessionId, TimeSpan commandTimeout)
    {
        this.connection = connection;
        this.targetId = targetId;
        this.sessionId = sessionId;
        this.commandTimeout = commandTimeout;
        connection.EventReceived += OnEvent;
    }

    /// <summary>
    /// Errors the page reported so far: "exception: …", "console.error: …", and Chromium's own log entries of
    /// level error as "&lt;source&gt;: …" (a CSP violation is "security: Refused to …", a failed fetch "network: …").
    /// </summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (problems)
            {
                return [.. problems];
            }
        }
    }

    /// <summary>Evaluates <paramref name="expression"/> (awaiting a promise) and deserializes its JSON value.</summary>
    public async Task<T> EvaluateAsync<T>(string expression, CancellationToken cancellationToken = default)
    {
        var result = await SendAsync(
            "Runtime.evaluate",
            new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true },
            cancellationToken);
        if (result.TryGetProperty("exceptionDetails", out var exception))
        {
            throw new InvalidOperationException($"the page threw while evaluating a test's script: {Describe(exception)}");
        }

        var value = result.GetProperty("result");
        return value.TryGetProperty("value", out var json)
            ? json.Deserialize<T>(Json) ?? throw new InvalidOperationException($"the script returned null: {value.GetRawText()}")
            : throw new InvalidOperationException($"the script returned no JSON value: {value.GetRawText()}");
    }

    /// <summary>Writes a PNG of the viewport to <paramref name="path"/>.</summary>
    public async Task ScreenshotAsync(string path, CancellationToken cancellationToken = default)
    {
        var shot = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true }, cancellationToken);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(shot.GetProperty("data").GetString()!), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        connection.EventReceived -= OnEvent;
        try
        {
            await connection.SendAsync("Target.closeTarget", new JsonObject { ["targetId"] = targetId }, null, TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            // The browser is going away anyway.
        }
    }

    internal async Task EnableAsync(CancellationToken cancellationToken)
    {
        await SendAsync("Runtime.enable", null, cancellationToken);
        await SendAsync("Log.enable", null, cancellationToken);
        await SendAsync("Page.enable", null, cancellationToken);
        await SendAsync("Page.setLifecycleEventsEnabled", new JsonObject { ["enabled"] = true }, cancellationToken);
    }

    /// <summary>Navigates and returns once the new document has loaded (its own scripts have run once).</summary>
    internal async Task NavigateAsync(Uri url, CancellationToken cancellationToken)
    {
        var navigated = await SendAsync("Page.navigate", new JsonObject { ["url"] = url.AbsoluteUri }, cancellationToken);
        if (navigated.TryGetProperty("errorText", out var error) && error.GetString() is { Length: > 0 } text)
        {
            throw new InvalidOperationException($"Chromium could not load {url}: {text}");
        }

        var loaderId = navigated.GetProperty("loaderId").GetString()!;
        try
        {
            await Load(loaderId).Task.WaitAsync(commandTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{url} did not finish loading within {commandTimeout.TotalSeconds:0} s; page errors: {string.Join("; ", Problems)}");
        }
    }

    private TaskCompletionSource Load(string loaderId) =>
        loads.GetOrAdd(loaderId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private Task<JsonElement> SendAsync(string method, JsonObject? parameters, CancellationToken cancellationToken) =>
        connection.SendAsync(method, parameters, sessionId, commandTimeout, cancellationToken);

    private void OnEvent(string method, string? session, JsonElement parameters)
    {
        if (session != sessionId)
        {
            return;
        }

        if (method == "Page.lifecycleEvent" && parameters.GetProperty("name").GetString() == "load")
        {
            Load(parameters.GetProperty("loaderId").GetString()!).TrySetResult();
            return;
        }

        var problem = method switch
        {
            "Runtime.exceptionThrown" => "exception: " + Describe(parameters.GetProperty("exceptionDetails")),
            "Runtime.consoleAPICalled" when parameters.GetProperty("type").GetString() == "error" =>
                "console.error: " + string.Join(' ', parameters.GetProperty("args").EnumerateArray().Select(a => a.TryGetProperty("value", out var v) ? v.ToString() : a.GetProperty("type").GetString())),
            "Log.entryAdded" when parameters.GetProperty("entry") is var entry && entry.GetProperty("level").GetString() == "error" =>
                $"{entry.GetProperty("source").GetString()}: {entry.GetProperty("text").GetString()}",
            _ => null,
        };
        if (problem is not null)
        {
            lock (problems)
            {
                problems.Add(problem);
            }
        }
    }

    private static string Describe(JsonElement exception) =>
        exception.TryGetProperty("exception", out var thrown) && thrown.TryGetProperty("description", out var description)
            ? description.GetString() ?? exception.GetRawText()
            : exception.TryGetProperty("text", out var text) ? text.GetString() ?? exception.GetRawText() : exception.GetRawText();
}
