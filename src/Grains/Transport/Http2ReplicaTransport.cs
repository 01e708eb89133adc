using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains.Transport;

/// <summary>
/// Carries replica messages to other silos over HTTP/2 cleartext (prior knowledge), one connection per peer.
/// <see cref="Send"/> only queues; per peer a sender batches whatever is queued into one
/// <c>POST /raft/v1/messages</c> whose body is the frames of <see cref="MessageCodec"/> back to back.
/// A failed POST drops its batch, reports the peer unreachable for each group in it, and backs off.
/// </summary>
public sealed class Http2ReplicaTransport : IReplicaTransport, IPeerDirectory, IAsyncDisposable
{
    public const string MessagesPath = "/raft/v1/messages";

    // Concurrent: every group's turn loop sends, and membership changes add and remove peers meanwhile.
    private readonly ConcurrentDictionary<long, PeerSender> senders = [];
    private readonly TransportCounters counters = new();
    private readonly Http2TransportOptions options;
    private readonly Action<long, long>? onUnreachable;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly Lock directory = new();
    private int disposed;

    /// <param name="peers">Node id → base address (http://host:port) of every peer to send to.</param>
    /// <param name="onUnreachable">Called with (group id, peer id) after a failed send, from a pool thread.</param>
    public Http2ReplicaTransport(
        IReadOnlyDictionary<long, Uri> peers,
        Http2TransportOptions? options = null,
        Action<long, long>? onUnreachable = null,
        ILogger? logger = null,
        TimeProvider? time = null)
    {
        this.options = options ?? new Http2TransportOptions();
        this.onUnreachable = onUnreachable;
        this.logger = logger ?? NullLogger.Instance;
        this.time = time ?? TimeProvider.System;
        foreach (var (peerId, address) in peers)
        {
            senders[peerId] = NewSender(peerId, address);
        }
    }

    /// <summary>Messages a peer acknowledged receiving.</summary>
    public long MessagesSent => Interlocked.Read(ref counters.MessagesSent);

    /// <summary>Body bytes of acknowledged POSTs.</summary>
    public long BytesSent => Interlocked.Read(ref counters.BytesSent);

    /// <summary>Messages never sent: the peer's queue was full, the peer unknown, the frame too large, or disposed.</summary>
    public long MessagesDropped => Interlocked.Read(ref counters.MessagesDropped);

    /// <summary>Messages in POSTs that failed.</summary>
    public long MessagesLost => Interlocked.Read(ref counters.MessagesLost);

    public long Requests => Interlocked.Read(ref counters.Requests);

    /// <summary>POSTs that failed: no connection, an error status, or no answer in time.</summary>
    public long Failures => Interlocked.Read(ref counters.Failures);

    public IReadOnlyCollection<long> Peers => [.. senders.Keys];

    public PeerState GetPeerState(long peerId) =>
        senders.TryGetValue(peerId, out var sender) ? sender.State : throw new KeyNotFoundException($"no peer {peerId}");

    public void Send(long groupId, RaftMessage message) => Send(groupId, message, default);

    /// <summary>Queues <paramref name="message"/>; a trace context rides in its frame (<see cref="MessageCodec"/>).</summary>
    public void Send(long groupId, RaftMessage message, ActivityContext traceContext)
    {
        if (!senders.TryGetValue(message.To, out var sender) || !sender.TryEnqueue(new OutgoingMessage(groupId, message, traceContext)))
        {
            Interlocked.Increment(ref counters.MessagesDropped);
        }
    }

    public void SetPeer(long peerId, Uri address)
    {
        PeerSender? replaced = null;
        lock (directory)
        {
            if (Volatile.Read(ref disposed) != 0 || senders.TryGetValue(peerId, out var current) && current.Address == address)
            {
                return;
            }

            replaced = current;
            senders[peerId] = NewSender(peerId, address);
        }

        _ = replaced?.DisposeAsync().AsTask();
    }

    public void RemovePeer(long peerId)
    {
        PeerSender? removed;
        lock (directory)
        {
            senders.TryRemove(peerId, out removed);
        }

        _ = removed?.DisposeAsync().AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        lock (directory)
        {
            if (Interlocked.Exchange(ref disposed, 1) != 0)
            {
                return;
            }
        }

        foreach (var sender in senders.Values)
        {
            await sender.DisposeAsync();
        }
    }

    private PeerSender NewSender(long peerId, Uri address) => new(peerId, address, options, counters, onUnreachable, logger, time);
}
