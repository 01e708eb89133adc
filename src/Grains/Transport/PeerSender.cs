using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace OrleansRaft.Grains.Transport;

/// <summary>
/// Sends one peer's messages: a bounded queue, and a loop that turns everything queued into one POST,
/// keeping a few POSTs in flight on the peer's single HTTP/2 connection and backing off while it fails.
/// </summary>
internal sealed class PeerSender : IAsyncDisposable
{
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    private readonly long peerId;
    private readonly Uri address;
    private readonly Uri endpoint;
    private readonly Http2TransportOptions options;
    private readonly TransportCounters counters;
    private readonly Action<long, long>? onUnreachable;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly HttpClient http;
    private readonly Channel<OutgoingMessage> queue;
    private readonly SemaphoreSlim inflight;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly Task loop;
    private TimeSpan backoff;
    private DateTimeOffset backoffUntil;
    private int consecutiveFailures;
    private (OutgoingMessage Message, int Size)? carry;

    public PeerSender(long peerId, Uri address, Http2TransportOptions options, TransportCounters counters, Action<long, long>? onUnreachable, ILogger logger, TimeProvider time)
    {
        this.peerId = peerId;
        this.address = address;
        endpoint = new Uri(address, Http2ReplicaTransport.MessagesPath);
        this.options = options;
        this.counters = counters;
        this.onUnreachable = onUnreachable;
        this.logger = logger;
        this.time = time;
        http = CreateClient(options.ConnectTimeout);
        // Wait mode only matters to WriteAsync, which is never used: TryWrite fails when full, and we count that.
        queue = Channel.CreateBounded<OutgoingMessage>(new BoundedChannelOptions(options.MaxQueuedMessagesPerPeer)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        inflight = new SemaphoreSlim(options.MaxInflightRequestsPerPeer, options.MaxInflightRequestsPerPeer);
        loop = Task.Run(RunAsync);
    }

    public Uri Address => address;

    public PeerState State
    {
        get
        {
            lock (gate)
            {
                return new PeerState(peerId, address, queue.Reader.Count, backoff, consecutiveFailures);
            }
        }
    }

    /// <summary>An h2c client: HTTP/2 with prior knowledge, one multiplexed connection, pings to notice a dead one.</summary>
    public static HttpClient CreateClient(TimeSpan connectTimeout) =>
        new(new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            EnableMultipleHttp2Connections = false,
            KeepAlivePingDelay = TimeSpan.FromSeconds(5),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };

    public bool TryEnqueue(OutgoingMessage message) => queue.Writer.TryWrite(message);

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await stopping.CancelAsync();
        await loop;
        // Cancelled POSTs end quickly; holding every slot means none is still using the client.
        for (var i = 0; i < options.MaxInflightRequestsPerPeer; i++)
        {
            await inflight.WaitAsync(CancellationToken.None);
        }

        while (queue.Reader.TryRead(out _))
        {
            Interlocked.Increment(ref counters.MessagesDropped);
        }

        http.Dispose();
        inflight.Dispose();
        stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var token = stopping.Token;
        try
        {
            while (carry is not null || await queue.Reader.WaitToReadAsync(token))
            {
                await WaitOutBackoffAsync(token);
                await inflight.WaitAsync(token);
                // Taken only once a slot is free, so a busy peer gets fewer, larger batches.
                var (batch, bytes) = TakeBatch();
                if (batch.Count == 0)
                {
                    inflight.Release();
                    continue;
                }

                var buffer = ArrayPool<byte>.Shared.Rent(bytes);
                var written = 0;
                foreach (var item in batch)
                {
                    written += MessageCodec.Encode(item.GroupId, item.Message, item.TraceContext, buffer.AsSpan(written));
                }

                _ = PostAsync(batch, buffer, written, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private async Task WaitOutBackoffAsync(CancellationToken token)
    {
        TimeSpan wait;
        lock (gate)
        {
            wait = backoffUntil - time.GetUtcNow();
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, token);
        }
    }

    private (List<OutgoingMessage> Batch, int Bytes) TakeBatch()
    {
        var batch = new List<OutgoingMessage>();
        long bytes = 0;
        if (carry is { } carried)
        {
            batch.Add(carried.Message);
            bytes = carried.Size;
            carry = null;
        }

        while (queue.Reader.TryRead(out var message))
        {
            long size;
            try
            {
                size = MessageCodec.GetFrameSize(message.Message, message.TraceContext != default);
            }
            catch (ArgumentException e)
            {
                // A message type the wire format does not know yet: a bug to log, not a reason to stop sending.
                Interlocked.Increment(ref counters.MessagesDropped);
                logger.LogError("node {NodeId}: cannot send to peer {PeerId}: {Error}", options.LocalNodeId, peerId, e.Message);
                continue;
            }

            if (size > options.MaxFrameBytes)
            {
                Interlocked.Increment(ref counters.MessagesDropped);
                logger.LogWarning("node {NodeId}: dropped a {Size}-byte {Type} for peer {PeerId}: larger than the {Max}-byte frame limit", options.LocalNodeId, size, message.Message.GetType().Name, peerId, options.MaxFrameBytes);
                continue;
            }

            if (batch.Count > 0 && bytes + size > options.MaxBatchBytes)
            {
                carry = (message, (int)size);
                break;
            }

            batch.Add(message);
            bytes += size;
        }

        return (batch, (int)bytes);
    }

    private async Task PostAsync(List<OutgoingMessage> batch, byte[] buffer, int length, CancellationToken token)
    {
        var delivered = false;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(buffer, 0, length),
            };
            request.Content.Headers.ContentType = OctetStream;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
            deadline.CancelAfter(options.RequestTimeout);
            Interlocked.Increment(ref counters.Requests);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (response.IsSuccessStatusCode)
            {
                delivered = true;
                OnDelivered(batch.Count, length);
            }
            else
            {
                OnFailed(batch, $"HTTP {(int)response.StatusCode}");
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            Interlocked.Add(ref counters.MessagesLost, batch.Count);
        }
        catch (OperationCanceledException)
        {
            OnFailed(batch, $"no answer within {options.RequestTimeout.TotalMilliseconds} ms");
        }
        catch (HttpRequestException e)
        {
            OnFailed(batch, e.Message);
        }
        finally
        {
            // The peer answered after reading the whole body, so the buffer is free again; otherwise the
            // client may still hold it and the GC takes it.
            if (delivered)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            inflight.Release();
        }
    }

    private void OnDelivered(int messages, int bytes)
    {
        Interlocked.Add(ref counters.MessagesSent, messages);
        Interlocked.Add(ref counters.BytesSent, bytes);
        int failures;
        lock (gate)
        {
            failures = consecutiveFailures;
            consecutiveFailures = 0;
            backoff = TimeSpan.Zero;
            backoffUntil = default;
        }

        if (failures > 0)
        {
            logger.LogInformation("node {NodeId}: peer {PeerId} at {Address} reachable again after {Failures} failed sends", options.LocalNodeId, peerId, address, failures);
        }
    }

    private void OnFailed(List<OutgoingMessage> batch, string reason)
    {
        Interlocked.Increment(ref counters.Failures);
        Interlocked.Add(ref counters.MessagesLost, batch.Count);
        int failures;
        TimeSpan delay;
        lock (gate)
        {
            failures = ++consecutiveFailures;
            var now = time.GetUtcNow();
            // Concurrent POSTs failing for one outage double the delay once, not once each.
            if (now >= backoffUntil)
            {
                backoff = backoff == TimeSpan.Zero ? options.InitialBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.MaxBackoff.Ticks));
                backoffUntil = now + backoff;
            }

            delay = backoff;
        }

        if (failures == 1)
        {
            logger.LogWarning("node {NodeId}: peer {PeerId} at {Address} unreachable ({Reason}); dropped {Count} messages, backing off {Delay} ms", options.LocalNodeId, peerId, address, reason, batch.Count, delay.TotalMilliseconds);
        }
        else
        {
            logger.LogDebug("node {NodeId}: peer {PeerId} still unreachable ({Reason}); failure {Failures}, backing off {Delay} ms", options.LocalNodeId, peerId, reason, failures, delay.TotalMilliseconds);
        }

        if (onUnreachable is null)
        {
            return;
        }

        var groups = new HashSet<long>();
        foreach (var item in batch)
        {
            if (groups.Add(item.GroupId))
            {
                onUnreachable(item.GroupId, peerId);
            }
        }
    }
}
