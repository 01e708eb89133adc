using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using OrleansRaft.Grains;
using OrleansRaft.Grains.Client;

namespace OrleansRaft.Testing.Processes;

/// <summary>
/// One silo as a real OS process, to crash, stop, freeze and restart. Its stdout and stderr go to
/// <see cref="SiloProcessOptions.LogPath"/>, every start appended after a header line. A restart keeps the node
/// id, the address and the database, so the silo recovers from what it stored.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultHealthyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    // What is still running when the test host exits, however the test ended: no silo outlives its test run.
    private static readonly ConcurrentDictionary<SiloProcess, bool> Live = new();

    private readonly Lock gate = new();
    private readonly HttpClient http;
    private Process? process;
    private StreamWriter? log;
    private Task pumps = Task.CompletedTask;
    private bool paused;
    private bool disposed;

    static SiloProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var silo in Live.Keys)
        {
            silo.KillNow();
        }
    };

    public SiloProcess(SiloProcessOptions options)
    {
        Options = options;
        http = KvReplicaClient.CreateHttpClient(options.Address);
        Client = new KvReplicaClient(http, options.GroupId);
    }

    public SiloProcessOptions Options { get; }

    public long NodeId => Options.NodeId;

    public Uri Address => Options.Address;

    public string LogPath => Options.LogPath;

    /// <summary>The replica API of this silo; calls fail as Unavailable or Timeout while it is down.</summary>
    public KvReplicaClient Client { get; }

    /// <summary>How many times the process was started.</summary>
    public int Starts { get; private set; }

    public int? ProcessId
    {
        get
        {
            lock (gate)
            {
                return process is { HasExited: false } ? process.Id : null;
            }
        }
    }

    public bool IsRunning => ProcessId is not null;

    public bool IsPaused
    {
        get
        {
            lock (gate)
            {
                return paused && process is { HasExited: false };
            }
        }
    }

    /// <summary>Starts the process; it is not serving yet (see <see cref="WaitHealthyAsync"/>).</summary>
    public void Start()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (process is { HasExited: false })
            {
                throw new InvalidOperationException($"node {NodeId} is already running as pid {process.Id}");
            }

            if (!File.Exists(Options.SiloAssembly))
            {
                throw new FileNotFoundException($"the silo assembly is missing; does the project reference src/Silo?", Options.SiloAssembly);
            }

            var start = new ProcessStartInfo(Options.DotnetHost)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetDirectoryName(Options.SiloAssembly)!,
            };
            start.ArgumentList.Add(Options.SiloAssembly);
            foreach (var argument in Options.Arguments())
            {
                start.ArgumentList.Add(argument);
            }

            // The silo reads ORLEANSRAFT_* too: only what the options say may configure it.
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ORLEANSRAFT_", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                start.Environment.Remove(name);
            }

            foreach (var (name, value) in Options.Environment)
            {
                start.Environment[name] = value;
            }

            Directory.CreateDirectory(Options.LogDirectory);
            log?.Dispose();
            log = new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            var started = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Options.DotnetHost}");
            process = started;
            paused = false;
            Starts++;
            Live[this] = true;
            WriteLogLine($"==== start {Starts}: pid {started.Id}: {Options.DotnetHost} {string.Join(' ', start.ArgumentList)}");
            pumps = Task.WhenAll(PumpAsync(started.StandardOutput, log, string.Empty), PumpAsync(started.StandardError, log, "[stderr] "));
        }
    }

    /// <summary>SIGKILL, as a crash: nothing is flushed or closed. Returns once the process is gone.</summary>
    public async Task KillAsync()
    {
        var running = Running();
        if (running is null)
        {
            return;
        }

        WriteLogLine("==== SIGKILL");
        running.Kill();
        await WaitExitAsync(running, ExitTimeout, "SIGKILL");
    }

    /// <summary>SIGTERM (after SIGCONT if paused): a graceful stop. SIGKILL and a <see cref="TimeoutException"/> if it takes too long.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        var running = Running();
        if (running is null)
        {
            return process?.ExitCode ?? 0;
        }

        WriteLogLine("==== SIGTERM");
        ProcessSignals.Send(running.Id, ProcessSignals.Terminate);
        if (IsPaused)
        {
            Resume();
        }

        await WaitExitAsync(running, timeout ?? DefaultStopTimeout, "SIGTERM");
        return running.ExitCode;
    }

    /// <summary>SIGSTOP: the process freezes with its sockets open, like a long GC pause or a stuck VM.</summary>
    public void Pause()
    {
        var running = Running() ?? throw new InvalidOperationException($"node {NodeId} is not running");
        WriteLogLine("==== SIGSTOP");
        ProcessSignals.Send(running.Id, ProcessSignals.Stop);
        ProcessSignals.WaitUntilStopped(running.Id, ExitTimeout);
        lock (gate)
        {
            paused = true;
        }
    }

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume()
    {
        var running = Running() ?? throw new InvalidOperationException($"node {NodeId} is not running");
        ProcessSignals.Send(running.Id, ProcessSignals.Continue);
        lock (gate)
        {
            paused = false;
        }

        WriteLogLine("==== SIGCONT");
    }

    /// <summary>Stops the process gracefully if it still runs, starts it again and waits until it serves.</summary>
    public async Task RestartAsync(TimeSpan? healthyTimeout = null)
    {
        await StopAsync();
        Start();
        await WaitHealthyAsync(healthyTimeout ?? DefaultHealthyTimeout);
    }

    /// <summary>Polls <c>/healthz</c> until it answers 200; fails early, with the log's tail, if the process exits.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (true)
        {
            Process? running;
            Task output;
            lock (gate)
            {
                running = process;
                output = pumps;
            }

            if (running is null || running.HasExited)
            {
                // Its last words (why it exited) reach the log once the pipes are drained.
                await output;
                throw new InvalidOperationException(
                    $"node {NodeId} exited{(running is null ? string.Empty : $" with code {running.ExitCode}")} before it became healthy; {LogPath} ends with:\n{LogTail(30)}");
            }

            using (var probe = new CancellationTokenSource(ProbeTimeout))
            {
                try
                {
                    using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative), probe.Token);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }

                    last = $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(probe.Token)}";
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    last = e.Message;
                }
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"node {NodeId} ({Address}) was not healthy within {timeout.TotalSeconds:0.#} s; last probe: {last}; {LogPath} ends with:\n{LogTail(30)}");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>The replica's status, or null when the silo does not answer within <paramref name="timeout"/>.</summary>
    public async Task<ReplicaStatus?> TryStatusAsync(TimeSpan timeout)
    {
        if (!IsRunning)
        {
            return null;
        }

        using var probe = new CancellationTokenSource(timeout);
        try
        {
            return await Client.Status(probe.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of the log file, for failure messages.</summary>
    public string LogTail(int lines)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(cannot read {LogPath}: {e.Message})";
        }
    }

    public override string ToString() => $"node {NodeId} ({Address}, {(ProcessId is { } pid ? $"pid {pid}{(IsPaused ? ", paused" : string.Empty)}" : "not running")})";

    /// <summary>Kills the process if it runs; safe to call more than once and after failures.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
        }

        try
        {
            await KillAsync();
        }
        finally
        {
            Live.TryRemove(this, out _);
            await pumps;
            lock (gate)
            {
                log?.Dispose();
                log = null;
                process?.Dispose();
                process = null;
            }

            http.Dispose();
        }
    }

    private Process? Running()
    {
        lock (gate)
        {
            return process is { HasExited: false } ? process : null;
        }
    }

    private async Task WaitExitAsync(Process running, TimeSpan timeout, string signal)
    {
        using (var wait = new CancellationTokenSource(timeout))
        {
            try
            {
                await running.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                running.Kill();
                await running.WaitForExitAsync(CancellationToken.None);
                await pumps;
                WriteLogLine($"==== did not exit within {timeout.TotalSeconds:0.#} s of {signal}; killed");
                throw new TimeoutException($"node {NodeId} (pid {running.Id}) did not exit within {timeout.TotalSeconds:0.#} s of {signal}; {LogPath} ends with:\n{LogTail(30)}");
            }
        }

        // The pipes close with the process: the log is complete once the pumps end.
        await pumps;
        Live.TryRemove(this, out _);
        WriteLogLine($"==== exited with code {running.ExitCode}");
    }

    private void KillNow()
    {
        try
        {
            Running()?.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void WriteLogLine(string line)
    {
        lock (gate)
        {
            log?.WriteLine($"{DateTime.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {line}");
        }
    }

    private async Task PumpAsync(StreamReader source, StreamWriter target, string prefix)
    {
        while (await source.ReadLineAsync() is { } line)
        {
            lock (gate)
            {
                if (ReferenceEquals(log, target))
                {
                    target.WriteLine(prefix.Length == 0 ? line : prefix + line);
                }
            }
        }
    }
}
