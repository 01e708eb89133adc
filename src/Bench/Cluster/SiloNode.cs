using System.Diagnostics;
using OrleansRaft.Grains.Client;

namespace OrleansRaft.Bench.Cluster;

/// <summary>One silo process: started with its output in a log file, reachable through an h2c client, stopped gently.</summary>
public sealed class SiloNode : IAsyncDisposable
{
    private readonly Process process;
    private readonly StreamWriter log;
    private readonly Lock logGate = new();
    private readonly HttpClient http;
    private bool logClosed;
    private int? exitCode;

    private SiloNode(long nodeId, Uri address, string logPath, Process process, StreamWriter log, long groupId, bool sizedBodies)
    {
        NodeId = nodeId;
        Address = address;
        LogPath = logPath;
        this.process = process;
        this.log = log;
        http = sizedBodies ? CreateSizedBodyClient(address) : KvReplicaClient.CreateHttpClient(address);
        Client = new KvReplicaClient(http, groupId);
    }

    public long NodeId { get; }

    public Uri Address { get; }

    public string LogPath { get; }

    public int ProcessId { get; private set; }

    public bool HasExited => exitCode is not null || process.HasExited;

    /// <summary>Null while the silo runs; kept after disposal.</summary>
    public int? ExitCode => exitCode ?? (process.HasExited ? process.ExitCode : null);

    /// <summary>The replica API of this silo; one multiplexed HTTP/2 connection shared by every caller.</summary>
    public KvReplicaClient Client { get; }

    /// <param name="sizedBodies">Send request bodies with a Content-Length (see <see cref="ContentLengthHandler"/>).</param>
    public static SiloNode Start(long nodeId, Uri address, long groupId, string dotnet, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string logPath, bool sizedBodies = false)
    {
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // so the silo never reads the bench's terminal
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var writer = new StreamWriter(logPath, append: false) { AutoFlush = true };
        writer.WriteLine($"# {dotnet} {string.Join(' ', start.ArgumentList)}");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new SiloNode(nodeId, address, logPath, process, writer, groupId, sizedBodies);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        try
        {
            if (!process.Start())
            {
                throw new InvalidOperationException($"could not start silo {nodeId}");
            }
        }
        catch
        {
            writer.Dispose();
            process.Dispose();
            throw;
        }

        node.ProcessId = process.Id;
        ChildProcesses.Track(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>SIGTERM, then SIGKILL if the silo has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (exitCode is not null)
        {
            return;
        }

        if (!process.HasExited)
        {
            using var deadline = new CancellationTokenSource(grace);
            try
            {
                if (await ChildProcesses.TerminateAsync(process))
                {
                    await process.WaitForExitAsync(deadline.Token);
                }
            }
            catch (OperationCanceledException)
            {
                Append($"# bench: no exit {grace.TotalSeconds} s after SIGTERM; killing");
            }

            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        // The exit event fires before the redirected output is drained; this waits for the rest of it.
        await process.WaitForExitAsync(CancellationToken.None);
        ChildProcesses.Forget(process);
        exitCode = process.ExitCode;
        Append($"# bench: exited with code {exitCode}");
    }

    // KvReplicaClient.CreateHttpClient's settings, with request bodies buffered first.
    private static HttpClient CreateSizedBodyClient(Uri address) =>
        new(new ContentLengthHandler(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(2),
            KeepAlivePingDelay = TimeSpan.FromSeconds(5),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        }))
        {
            BaseAddress = address,
            DefaultRequestVersion = System.Net.HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };

    /// <summary>The last lines of the log, for an error message.</summary>
    public string Tail(int lines)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(log unreadable: {e.Message})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        http.Dispose();
        lock (logGate)
        {
            logClosed = true;
            log.Dispose();
        }

        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (logGate)
        {
            if (!logClosed)
            {
                log.WriteLine(line);
            }
        }
    }
}
