using System.Diagnostics;
using OrleansRaft.Bench.Measurement;
using OrleansRaft.Bench.Targets;

namespace OrleansRaft.Bench.Experiments.Election;

/// <summary>
/// After the kill, starts a Put every <c>interval</c> (each on its own HTTP/1.1 connection if need be, so none
/// waits behind another) until one succeeds: the earliest answer is when a new leader committed a write. Fresh
/// requests keep coming so the gateway's retry backoff (up to 160 ms) cannot hide the moment the leader appears.
/// </summary>
internal sealed class WriteProbe : IAsyncDisposable
{
    private readonly IKvClient client;
    private readonly HttpClient http;
    private readonly TimeSpan interval;
    private readonly byte[] value = new byte[16];
    private readonly CancellationTokenSource stop = new();
    private readonly TaskCompletionSource<long> committed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> inFlight = [];
    private Task? loop;
    private int probes;
    private int errors;

    public WriteProbe(IKvSystem system, Uri address, TimeSpan interval, TimeSpan timeout)
    {
        http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) }) { BaseAddress = address, Timeout = timeout };
        client = system.CreateClient(http);
        this.interval = interval;
    }

    public int Probes => Volatile.Read(ref probes);

    public int Errors => Volatile.Read(ref errors);

    /// <summary>One Put now, to check the system takes writes; true when it committed.</summary>
    public async Task<bool> WriteOnceAsync(string key, CancellationToken cancellationToken) =>
        (await client.PutAsync(key, value, cancellationToken)).Succeeded;

    public void Start(string keyPrefix) => loop = RunAsync(keyPrefix);

    /// <summary>The Stopwatch timestamp of the first committed Put, or null when none committed by <paramref name="deadline"/>.</summary>
    public async Task<long?> FirstCommitAsync(long deadline, CancellationToken cancellationToken)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
        try
        {
            return await committed.Task.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        if (loop is not null)
        {
            await loop;
        }

        Task[] pending;
        lock (inFlight)
        {
            pending = [.. inFlight];
        }

        await Task.WhenAll(pending);
        stop.Dispose();
        http.Dispose();
    }

    private async Task RunAsync(string keyPrefix)
    {
        try
        {
            using var timer = new PeriodicTimer(interval);
            do
            {
                var n = Interlocked.Increment(ref probes);
                var request = SendAsync($"{keyPrefix}-{n}");
                lock (inFlight)
                {
                    inFlight.RemoveAll(t => t.IsCompleted);
                    inFlight.Add(request);
                }
            }
            while (!committed.Task.IsCompleted && await timer.WaitForNextTickAsync(stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private async Task SendAsync(string key)
    {
        OperationResult result;
        try
        {
            result = await client.PutAsync(key, value, stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (result.Succeeded)
        {
            committed.TrySetResult(Stopwatch.GetTimestamp());
        }
        else
        {
            Interlocked.Increment(ref errors);
        }
    }
}
