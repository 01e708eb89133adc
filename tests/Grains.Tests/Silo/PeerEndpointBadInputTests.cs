using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Grains.Transport;
using OrleansRaft.Raft;
using OrleansRaft.Raft.Messages;
using OrleansRaft.Testing.Http;
using OrleansRaft.Testing.Polling;
using OrleansRaft.Testing.Processes;
using OrleansRaft.Testing.Silos;
using Xunit.Abstractions;

namespace OrleansRaft.Grains.Tests.Silo;

public sealed class PeerEndpointBadInputTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Bad_peer_input_is_refused_and_the_silo_keeps_serving_with_its_log_intact()
    {
        var options = TestSilo.OptionsFor(1, new Dictionary<long, int> { [1] = 0 }) with { MaxMessageBytes = 64 << 10, MaxBatchBytes = 16 << 10 };
        await using var silo = await TestSilo.StartAsync(options, prefix => new TestOutputLoggerProvider(output, prefix));
        await Eventually.HoldsAsync(async () => (await silo.Client.Status(CancellationToken.None)).Role == "leader", Deadline, () => "the single silo did not elect itself");
        Assert.Equal(KvStatus.Ok, (await silo.Client.Put("k1", "v1"u8.ToArray(), new ClientRequest("c", 1, 1), CancellationToken.None)).Status);
        var before = await silo.Client.Status(CancellationToken.None);
        using var http = silo.NewHttpClient();
        var counters = silo.PeerCounters;

        // Garbage.
        await ExpectProblemAsync(http, "this is not a frame at all"u8.ToArray(), HttpStatusCode.BadRequest);

        // A good frame followed by a truncated one: the body is refused whole, nothing is delivered.
        var good = MessageCodec.Encode(1, new HeartbeatResponse(2, 1, 0, 0));
        var truncated = MessageCodec.Encode(1, new AppendRequest(2, 1, before.Term, before.LastIndex, before.Term, [new LogEntry(before.LastIndex + 1, before.Term, EntryKind.Command, new byte[100])], 0));
        var delivered = counters.Delivered;
        await ExpectProblemAsync(http, [.. good, .. truncated.AsSpan(0, truncated.Length - 10)], HttpStatusCode.BadRequest);
        Assert.Equal(delivered, counters.Delivered);

        // A huge length prefix (the frame claims 4 GiB, and beyond the limit).
        var huge = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(huge, uint.MaxValue);
        await ExpectProblemAsync(http, huge, HttpStatusCode.BadRequest);
        BinaryPrimitives.WriteUInt32LittleEndian(huge, 60_000);
        await ExpectProblemAsync(http, huge, HttpStatusCode.BadRequest);

        // An unknown message type.
        var unknownType = MessageCodec.Encode(1, new TimeoutNow(2, 1, 1));
        unknownType[12] = 99;
        await ExpectProblemAsync(http, unknownType, HttpStatusCode.BadRequest);

        // A well-formed message for a group this silo does not host: skipped and counted.
        var unknownGroups = counters.UnknownGroup;
        using (var response = await PostAsync(http, MessageCodec.Encode(99, new TimeoutNow(2, 1, before.Term + 1))))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        Assert.Equal(unknownGroups + 1, counters.UnknownGroup);

        // Well framed but structurally invalid for Raft (no sender, a huge term, entries out of sequence):
        // delivered, and the core drops them, so neither the term nor the log moves.
        var hostile = new RaftMessage[]
        {
            new AppendRequest(0, 1, long.MaxValue, before.LastIndex, before.Term, [new LogEntry(before.LastIndex + 5, before.Term, EntryKind.Command, new byte[] { 1 })], long.MaxValue),
            new AppendRequest(2, 1, before.Term + 1, before.LastIndex, before.Term + 2, [], 0),
            new VoteRequest(2, 1, long.MaxValue, -1, long.MaxValue, PreVote: false, Transfer: true),
        };
        using (var response = await PostAsync(http, [.. hostile.SelectMany(m => MessageCodec.Encode(1, m))]))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        // An oversized body with a Content-Length: refused before it is read.
        var oversized = counters.RefusedBodies;
        await ExpectProblemAsync(http, new byte[(64 << 10) + 1], HttpStatusCode.RequestEntityTooLarge);

        // An oversized body streamed without a length: a 413 or a reset stream, never a crash.
        using (var content = new StreamContent(new UnknownLengthStream(new byte[256 << 10])))
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            try
            {
                using var response = await http.PostAsync(Http2ReplicaTransport.MessagesPath, content);
                Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            }
            catch (HttpRequestException e)
            {
                output.WriteLine($"streamed oversized body: the stream was reset ({e.Message})");
            }
        }

        Assert.Equal(oversized + 2, counters.RefusedBodies);

        // Still serving: a write commits, reads see both writes, the term did not move, the log is intact.
        Assert.Equal(KvStatus.Ok, (await silo.Client.Put("k2", "v2"u8.ToArray(), new ClientRequest("c", 2, 2), CancellationToken.None)).Status);
        var k1 = await silo.Client.Get("k1", ReadConsistency.Linearizable, CancellationToken.None);
        var k2 = await silo.Client.Get("k2", ReadConsistency.Linearizable, CancellationToken.None);
        Assert.Equal("v1"u8.ToArray(), k1.Value);
        Assert.Equal("v2"u8.ToArray(), k2.Value);
        var after = await silo.Client.Status(CancellationToken.None);
        Assert.Equal(("leader", before.Term, (string?)null), (after.Role, after.Term, after.Failure));
        Assert.Equal(after.LastIndex, after.CommitIndex);

        var store = silo.Directory.Find(1)!.Store;
        var log = await store.LoadAsync(CancellationToken.None);
        Assert.Equal(after.LastIndex, log.LastIndex);
        var entries = log.Entries(log.FirstIndex, log.LastIndex + 1, long.MaxValue);
        var keys = new List<string>();
        for (var i = 0; i < entries.Count; i++)
        {
            Assert.Equal(log.FirstIndex + i, entries[i].Index);
            Assert.InRange(entries[i].Term, 1, after.Term);
            if (entries[i].Kind == EntryKind.Command)
            {
                keys.Add(KvCommand.Decode(entries[i].Data).Key);
            }
        }

        Assert.Equal(["k1", "k2"], keys);
        Assert.Equal(after.Term, log.HardState.Term);
    }

    [Fact]
    public async Task Replica_api_refuses_what_it_cannot_take()
    {
        var options = TestSilo.OptionsFor(1, new Dictionary<long, int> { [1] = 0 });
        await using var silo = await TestSilo.StartAsync(options, prefix => new TestOutputLoggerProvider(output, prefix));
        using var http = silo.NewHttpClient();

        using (var response = await http.GetAsync("/replica/v1/42/status"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        foreach (var body in new[] { "{not json", "{\"call\":\"put\",\"key\":\"\"}", "{\"call\":\"explode\",\"key\":\"a\"}", "null" })
        {
            using var content = new StringContent(body, new MediaTypeHeaderValue("application/json"));
            using var response = await http.PostAsync("/replica/v1/1/kv", content);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using (var response = await http.PostAsync("/replica/v1/1/transfer", null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using (var response = await http.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new Version(2, 0), response.Version);
        }

        // A client of a group the silo does not host gets Unavailable, not an exception.
        var stranger = new Client.KvReplicaClient(http, 42);
        Assert.Equal(KvStatus.Unavailable, (await stranger.Put("a", "b"u8.ToArray(), null, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task A_client_of_a_silo_that_is_down_gets_unavailable_and_a_cancelled_call_a_timeout()
    {
        using var http = Client.KvReplicaClient.CreateHttpClient(new Uri($"http://127.0.0.1:{FreePort.Next()}"));
        var client = new Client.KvReplicaClient(http, 1);
        Assert.Equal(KvStatus.Unavailable, (await client.Put("a", "b"u8.ToArray(), null, CancellationToken.None)).Status);
        Assert.Equal(KvStatus.Unavailable, (await client.Get("a", ReadConsistency.Linearizable, CancellationToken.None)).Status);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.Status(CancellationToken.None));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        Assert.Equal(KvStatus.Timeout, (await client.Put("a", "b"u8.ToArray(), null, cancelled.Token)).Status);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await http.PostAsync(Http2ReplicaTransport.MessagesPath, content);
    }

    private static async Task ExpectProblemAsync(HttpClient http, byte[] body, HttpStatusCode expected)
    {
        using var response = await PostAsync(http, body);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"status\":{(int)expected}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
