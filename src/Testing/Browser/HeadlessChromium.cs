using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OrleansRaft.Testing.Browser;

/// <summary>
/// Debian's <c>chromium</c> started headless (<c>--headless --no-sandbox --disable-gpu</c>) with a throwaway
/// profile and <c>--remote-debugging-port=0</c>: the port it picked is read from its stderr ("DevTools listening
/// on ws://…"), and pages are driven over that DevTools WebSocket. A page stays open while its own script runs, so
/// a test can watch it change over time. Disposing closes the browser and kills the process it started if it lingers.
/// </summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    /// <summary>What to do when the browser is missing; tests fail with it rather than skip.</summary>
    public const string InstallHint =
        "headless Chromium is needed and no `chromium` was found ($CHROMIUM if set, else PATH): run scripts/chromium as root (apt-get update && apt-get install -y chromium)";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly Process process;
    private readonly string profile;
    private readonly DevToolsConnection connection;
    private readonly StderrTail stderr;

    private HeadlessChromium(Process process, string profile, DevToolsConnection connection, StderrTail stderr)
    {
        this.process = process;
        this.profile = profile;
        this.connection = connection;
        this.stderr = stderr;
    }

    /// <summary>The process id of the browser (its own helper processes are its children).</summary>
    public int ProcessId => process.Id;

    /// <summary>The last lines the browser wrote to stderr, for a failure message.</summary>
    public string StderrTail => stderr.Text;

    /// <summary>$CHROMIUM if set, else <c>chromium</c> (or <c>chromium-browser</c>) on PATH; null when there is none.</summary>
    public static string? FindExecutable()
    {
        if (Environment.GetEnvironmentVariable("CHROMIUM") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var name in (string[])["chromium", "chromium-browser"])
        {
            foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(folder, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Starts the browser; throws <see cref="InvalidOperationException"/> with <see cref="InstallHint"/> when it is not installed.</summary>
    public static async Task<HeadlessChromium> StartAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException(InstallHint);
        var profile = Path.Combine(Path.GetTempPath(), $"orleansraft-chromium-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(profile);
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0", $"--user-data-dir={profile}",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--mute-audio", "--disable-dev-shm-usage", "--window-size=1280,900",
            "about:blank",
        ])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        var stderr = new StderrTail();
        var endpoint = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                endpoint.TrySetException(new InvalidOperationException($"{executable} closed its stderr before it named its DevTools endpoint"));
                return;
            }

            stderr.Add(line);
            if (DevToolsListening().Match(line) is { Success: true } match)
            {
                endpoint.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        try
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(timeout);
            Uri url;
            try
            {
                url = await endpoint.Task.WaitAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{executable} named no DevTools endpoint within {timeout.TotalSeconds:0} s; its stderr:\n{stderr.Text}");
            }

            var connection = await DevToolsConnection.ConnectAsync(url, wait.Token);
            return new HeadlessChromium(process, profile, connection, stderr);
        }
        catch
        {
            Stop(process);
            DeleteProfile(profile);
            throw;
        }
    }

    /// <summary>Opens a new tab at <paramref name="url"/>; its scripts then run until the page is closed.</summary>
    public async Task<DevToolsPage> OpenAsync(Uri url, CancellationToken cancellationToken = default)
    {
        var target = await connection.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, null, CommandTimeout, cancellationToken);
        var targetId = target.GetProperty("targetId").GetString()!;
        var attached = await connection.SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = targetId, ["flatten"] = true }, null, CommandTimeout, cancellationToken);
        var page = new DevToolsPage(connection, targetId, attached.GetProperty("sessionId").GetString()!, CommandTimeout);
        await page.EnableAsync(cancellationToken);
        await page.NavigateAsync(url, cancellationToken);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await connection.SendAsync("Browser.close", null, null, TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            // Closing also ends the connection, which can fail the answer; the process is checked next.
        }

        await connection.DisposeAsync();
        using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await process.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                Stop(process);
            }
        }

        process.Dispose();
        DeleteProfile(profile);
    }

    /// <summary>Kills the browser this class started, and its helper processes, if it still runs.</summary>
    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static void DeleteProfile(string profile)
    {
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A helper process may still hold a file for a moment; it is a temp folder.
        }
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)", RegexOptions.CultureInvariant)]
    private static partial Regex DevToolsListening();
}
