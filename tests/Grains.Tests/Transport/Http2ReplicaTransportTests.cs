using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansRaft.Grains.Transport;
using OrleansRaft.Raft.Messages;
using OrleansRaft.Testing.Polling;
using OrleansRaft.Testing.Processes;

namespace OrleansRaft.Grains.Tests.Transport;

public sealed class Http2ReplicaTransportTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_trace_context_given_to_send_arrives_with_its_message()
    {
        var port = FreePort.Next();
        await using var peer = await RecordingPeer.StartAsync(port);
        await using var transport = new Http2ReplicaTransport(new Dictionary<long, Uri> { [2] = new($"http://127.0.0.1:{port}") });
        var context = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        transport.Send(1, Messages.Append(2, 3, 10), context);
        transport.Send(1, new HeartbeatRequest(1, 2, 3, 4, 5));
        await Eventually.HoldsAsync(() => peer.Frames.Count == 2, Deadline, () => $"{peer.Frames.Count} of 2 frames arrived");
        var frames = peer.Frames.ToList();
        Assert.Equal((context.TraceId, context.SpanId, ActivityTraceFlags.Recorded), (frames[0].TraceContext.TraceId, frames[0].TraceContext.SpanId, frames[0].TraceContext.TraceFlags));
        Assert.Equal(default, frames[1].TraceContext);
    }

    [Fact]
    public async Task Messages_arrive_decoded_at_the_peer_they_are_addressed_to_in_order()
    {
        int port2 = FreePort.Next(), port3 = FreePort.Next();
        await using var peer2 = await RecordingPeer.StartAsync(port2);
        await using var peer3 = await RecordingPeer.StartAsync(port3);
        // One request in flight per peer: then nothing can overtake, and the order is exact.
        await using var transport = new Http2ReplicaTransport(
            new Dictionary<long, Uri> { [2] = new($"http://127.0.0.1:{port2}"), [3] = new($"http://127.0.0.1:{port3}") },
            new Http2TransportOptions { MaxInflightRequestsPerPeer = 1 });

        var sent = new List<(long Group, RaftMessage Message)>();
        for (var round = 0; round < 50; round++)
        {
            foreach (var to in new long[] { 2, 3 })
            {
                foreach (var message in Messages.OneOfEach(to))
                {
                    sent.Add((round % 3 + 1, message));
                    transport.Send(round % 3 + 1, message);
                }
            }
        }

        sent.Add((1, Messages.Append(2, 100, 10_000)));
        transport.Send(1, sent[^1].Message);

        await Eventually.HoldsAsync(() => peer2.Frames.Count + peer3.Frames.Count == sent.Count, Deadline, () => $"{peer2.Frames.Count} + {peer3.Frames.Count} of {sent.Count} frames arrived");
        foreach (var (peer, id) in new[] { (peer2, 2L), (peer3, 3L) })
        {
            var expected = sent.Where(s => s.Message.To == id).ToList();
            var received = peer.Frames.ToList();
            Assert.Equal(expected.Count, received.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Messages.Equal(expected[i].Group, expected[i].Message, received[i]);
            }

            Assert.All(peer.Protocols, protocol => Assert.Equal("HTTP/2", protocol));
        }

        // The sender counts a batch once the peer's answer arrives, which may be just after the frames were seen.
        await Eventually.HoldsAsync(() => transport.MessagesSent == sent.Count, Deadline, () => $"{transport.MessagesSent} of {sent.Count} counted as sent");
        Assert.Equal(0, transport.MessagesDropped + transport.MessagesLost + transport.Failures);
        Assert.True(transport.Requests < sent.Count, $"{transport.Requests} requests for {sent.Count} messages: batching did not happen");
    }

    [Fact]
    public async Task Pipelined_requests_deliver_everything()
    {
        var port = FreePort.Next();
        await using var peer = await RecordingPeer.StartAsync(port);
        await using var transport = new Http2ReplicaTransport(
            new Dictionary<long, Uri> { [2] = new($"http://127.0.0.1:{port}") },
            new Http2TransportOptions { MaxInflightRequestsPerPeer = 4, MaxBatchBytes = 64 << 10 });
        const int count = 2000;
        for (var i = 0; i < count; i++)
        {
            transport.Send(1, new HeartbeatRequest(1, 2, 1, i, i));
        }

        transport.Send(1, Messages.Append(2, 10, 100_000));
        await Eventually.HoldsAsync(() => peer.Frames.Count == count + 1, Deadline, () => $"{peer.Frames.Count} of {count + 1} arrived");
        var rounds = peer.Frames.Select(f => f.Message).OfType<HeartbeatRequest>().Select(h => h.ReadRound).Order();
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), rounds);
    }

    [Fact]
    public async Task A_message_for_an_unknown_peer_is_dropped_and_counted()
    {
        await using var transport = new Http2ReplicaTransport(new Dictionary<long, Uri>());
        transport.Send(1, new TimeoutNow(1, 9, 1));
        Assert.Equal(1, transport.MessagesDropped);
    }

    [Fact]
    public async Task A_down_peer_is_reported_backed_off_and_bounded_then_recovers()
    {
        var port = FreePort.Next();
        var unreachable = new ConcurrentQueue<(long Group, long Peer)>();
        await using var transport = new Http2ReplicaTransport(
            new Dictionary<long, Uri> { [2] = new($"http://127.0.0.1:{port}") },
            new Http2TransportOptions
            {
                MaxQueuedMessagesPerPeer = 64,
                InitialBackoff = TimeSpan.FromMilliseconds(50),
                MaxBackoff = TimeSpan.FromMilliseconds(400),
            },
            (group, peer) => unreachable.Enqueue((group, peer)));

        // Nothing listens: the first POST fails, the callback names the group and the peer.
        transport.Send(7, new HeartbeatRequest(1, 2, 1, 0, 0));
        await Eventually.HoldsAsync(() => !unreachable.IsEmpty, Deadline, () => "the unreachable callback never fired");
        Assert.Equal((7L, 2L), unreachable.First());

        // Keep offering traffic until the delay reaches its cap.
        await Eventually.HoldsAsync(
            () =>
            {
                transport.Send(7, new HeartbeatRequest(1, 2, 1, 0, 0));
                return transport.GetPeerState(2).Backoff == TimeSpan.FromMilliseconds(400);
            },
            Deadline,
            () => $"backoff is {transport.GetPeerState(2).Backoff}, expected the 400 ms cap");

        // Backing off: a second of steady traffic makes only a handful of attempts, and the queue stays bounded.
        var requestsBefore = transport.Requests;
        var droppedBefore = transport.MessagesDropped;
        var until = DateTime.UtcNow.AddSeconds(1);
        var offered = 0;
        while (DateTime.UtcNow < until)
        {
            for (var i = 0; i < 1000; i++, offered++)
            {
                transport.Send(7, new HeartbeatRequest(1, 2, 1, 0, 0));
            }

            Assert.True(transport.GetPeerState(2).Queued <= 64, $"{transport.GetPeerState(2).Queued} queued beyond the capacity of 64");
            await Task.Delay(10);
        }

        var attempts = transport.Requests - requestsBefore;
        Assert.True(attempts <= 20, $"{attempts} POSTs in one second while backing off");
        // Not dropped: what the attempts carried and what is queued at the end. An attempt takes what is queued (64 at
        // most) and, as it drains the queue while this loop writes, at most the rest of one burst of 1000.
        Assert.True(transport.MessagesDropped - droppedBefore >= offered - ((attempts + 1) * (64 + 1000)), $"only {transport.MessagesDropped - droppedBefore} of {offered} dropped ({attempts} attempts)");
        Assert.True(transport.GetPeerState(2).ConsecutiveFailures >= 3);

        // The peer comes up at that address: messages flow again and the backoff resets.
        await using var peer = await RecordingPeer.StartAsync(port);
        await Eventually.HoldsAsync(
            () =>
            {
                transport.Send(7, new TimeoutNow(1, 2, 42));
                return peer.Frames.Any(f => f.Message is TimeoutNow { Term: 42 }) && transport.GetPeerState(2).Backoff == TimeSpan.Zero;
            },
            Deadline,
            () => $"no delivery after the peer came up (state {transport.GetPeerState(2)})");
        Assert.All(peer.Frames, f => Assert.Equal(7, f.GroupId));
    }

    [Fact]
    public async Task A_frame_beyond_the_size_limit_is_dropped_not_sent()
    {
        var port = FreePort.Next();
        await using var peer = await RecordingPeer.StartAsync(port);
        await using var transport = new Http2ReplicaTransport(
            new Dictionary<long, Uri> { [2] = new($"http://127.0.0.1:{port}/") },
            new Http2TransportOptions { MaxFrameBytes = 1000 });
        transport.Send(1, Messages.Append(2, 1, 2000));
        transport.Send(1, new TimeoutNow(1, 2, 5));
        await Eventually.HoldsAsync(() => transport.MessagesSent == 1, Deadline, () => "the small message did not arrive");
        Assert.Equal(1, transport.MessagesDropped);
        Assert.IsType<TimeoutNow>(Assert.Single(peer.Frames).Message);
    }

    [Fact]
    public async Task A_message_without_a_wire_format_is_dropped_and_the_sender_keeps_going()
    {
        var port = FreePort.Next();
        await using var peer = await RecordingPeer.StartAsync(port);
        await using var transport = new Http2ReplicaTransport(new Dictionary<long, Uri> { [2] = new($"http://127.0.0.1:{port}") });
        transport.Send(1, new UnknownMessage(1, 2, 1));
        transport.Send(1, new TimeoutNow(1, 2, 5));
        await Eventually.HoldsAsync(() => transport.MessagesSent == 1, Deadline, () => "the sender stopped after an unknown message");
        Assert.Equal(1, transport.MessagesDropped);
    }
}
