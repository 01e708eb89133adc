using System.Diagnostics;
using System.Net;
using System.Text;
using OrleansRaft.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansRaft.Gateway.Tests.Api;

/// <summary>What only real sockets show: a client stalling mid-body, exact request bytes, HTTP/1.1 and h2c ports.</summary>
public sealed class RealServerTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture fixture;

    public RealServerTests(ServerFixture fixture, ITestOutputHelper output)
    {
        this.fixture = fixture;
        fixture.Sink.Output = output;
    }

    private Uri Http1 => fixture.Server.Http1;

    [Fact]
    public async Task A_client_that_stalls_mid_body_gets_408_and_its_connection_closed_while_others_are_served()
    {
        using var slow = await RawHttp.ConnectAsync(Http1);
        await slow.WriteAsync(Encoding.ASCII.GetBytes("PUT /v1/kv/slow HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\n0123456789"));
        var clock = Stopwatch.StartNew();

        // While that body stalls, other connections are served at once.
        using var client = new HttpClient { BaseAddress = Http1, Timeout = TimeSpan.FromSeconds(30) };
        for (var i = 0; i < 5; i++)
        {
            var started = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/v1/kv/fast-{i}", new ByteArrayContent("v"u8.ToArray()))).StatusCode);
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"a request took {started.Elapsed} beside a stalled body");
        }

        var response = await slow.ReadResponseAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(408, response.Status);
        Assert.Equal("application/problem+json", response.Header("content-type"));
        ProblemAssert.Body(response.Body, 408, "body-timeout");
        Assert.True(response.Closed, "the connection of the stalled body stayed open");
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(ServerFixture.BodyTimeoutMs - 500), TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/kv/slow")).StatusCode);
    }

    [Fact]
    public async Task HTTP_1_1_is_served_on_urls_and_h2c_with_prior_knowledge_on_h2_urls()
    {
        using var http1 = new HttpClient { BaseAddress = Http1 };
        var put = await http1.PutAsync("/v1/kv/protocols", new ByteArrayContent("one"u8.ToArray()));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpVersion.Version11, put.Version);

        using var http2 = new HttpClient
        {
            BaseAddress = fixture.Server.Http2,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var get = await http2.GetAsync("/v1/kv/protocols");
        Assert.Equal(HttpVersion.Version20, get.Version);
        Assert.Equal("one", await get.Content.ReadAsStringAsync());
        var append = await http2.PostAsync("/v1/kv/protocols/append", new ByteArrayContent("+two"u8.ToArray()));
        Assert.Equal(HttpStatusCode.OK, append.StatusCode);
        Assert.Equal("one+two", await http1.GetStringAsync("/v1/kv/protocols"));
        var missing = await http2.GetAsync("/v1/kv/absent-h2");
        await ProblemAssert.IsProblemAsync(missing, HttpStatusCode.NotFound, "key-not-found");
        await ProblemAssert.IsProblemAsync(await http2.PostAsync("/v1/kv/protocols", new ByteArrayContent([])), HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Raw_request_targets_are_decoded_once_and_strictly()
    {
        var put = await RawHttp.SendAsync(Http1, "PUT /v1/kv/a%2Fb HTTP/1.1", ["Content-Length: 5", "Connection: close"], "slash"u8.ToArray());
        Assert.Equal(200, put.Status);
        Assert.Equal("slash", (await RawHttp.SendAsync(Http1, "GET /v1/kv/a%2Fb HTTP/1.1", ["Connection: close"])).Body);

        // Kestrel removes dot segments before routing; the raw target still names the key "..".
        Assert.Equal(200, (await RawHttp.SendAsync(Http1, "PUT /v1/kv/%2E%2E HTTP/1.1", ["Content-Length: 4", "Connection: close"], "dots"u8.ToArray())).Status);
        Assert.Equal("dots", (await RawHttp.SendAsync(Http1, "GET /v1/kv/.. HTTP/1.1", ["Connection: close"])).Body);
        Assert.Equal(405, (await RawHttp.SendAsync(Http1, "PATCH /v1/kv/.. HTTP/1.1", ["Connection: close"])).Status);

        foreach (var target in new[] { "/v1/kv/%zz", "/v1/kv/%", "/v1/kv/%FF", "/v1/kv/%C0%AF", "/v1/kv/" })
        {
            var response = await RawHttp.SendAsync(Http1, $"GET {target} HTTP/1.1", ["Connection: close"]);
            Assert.True(response.Status == 400, $"{target}: {response.Status} {response.Body}");
            ProblemAssert.Body(response.Body, 400, "invalid-key");
        }

        // Absolute form (as sent to a proxy): the key is still the one raw segment after /v1/kv/.
        var authority = $"127.0.0.1:{Http1.Port}";
        var absoluteForm = await RawHttp.SendAsync(Http1, $"GET http://{authority}/v1/kv/a%2Fb HTTP/1.1", [$"Host: {authority}", "Connection: close"]);
        Assert.Equal("slash", absoluteForm.Body);
    }

    [Fact]
    public async Task Raw_header_bytes_and_bodies_that_break_the_rules_get_problems()
    {
        // Non-ASCII bytes in the Idempotency-Key reach validation instead of being dropped by Kestrel.
        var nonAscii = Encoding.Latin1.GetString(Encoding.UTF8.GetBytes("Idempotency-Key: ключ"));
        var response = await RawHttp.SendAsync(Http1, "PUT /v1/kv/h HTTP/1.1", [nonAscii, "Content-Length: 1", "Connection: close"], "v"u8.ToArray());
        Assert.Equal(400, response.Status);
        ProblemAssert.Body(response.Body, 400, "invalid-idempotency-key");

        response = await RawHttp.SendAsync(Http1, "PUT /v1/kv/h HTTP/1.1", ["Idempotency-Key:", "Content-Length: 1", "Connection: close"], "v"u8.ToArray());
        Assert.Equal(400, response.Status);
        ProblemAssert.Body(response.Body, 400, "invalid-idempotency-key");

        // Too large by Content-Length: refused before the body is read, and the connection closed rather than drained.
        response = await RawHttp.SendAsync(Http1, "PUT /v1/kv/h HTTP/1.1", [$"Content-Length: {(1 << 20) + 1}"]);
        Assert.Equal(413, response.Status);
        ProblemAssert.Body(response.Body, 413, "value-too-large");
        Assert.True(response.Closed);

        // Too large while streaming chunks.
        using (var chunked = await RawHttp.ConnectAsync(Http1))
        {
            await chunked.WriteAsync(Encoding.ASCII.GetBytes("PUT /v1/kv/h HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"));
            var chunk = Encoding.ASCII.GetBytes($"{64 << 10:x}\r\n").Concat(new byte[64 << 10]).Concat("\r\n"u8.ToArray()).ToArray();
            for (var sent = 0; sent <= 1 << 20; sent += 64 << 10)
            {
                await chunked.WriteAsync(chunk);
            }

            var tooLarge = await chunked.ReadResponseAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(413, tooLarge.Status);
            ProblemAssert.Body(tooLarge.Body, 413, "value-too-large");
        }

        // A GET with a body.
        response = await RawHttp.SendAsync(Http1, "GET /v1/kv/h HTTP/1.1", ["Content-Length: 3", "Connection: close"], "abc"u8.ToArray());
        Assert.Equal(400, response.Status);
        ProblemAssert.Body(response.Body, 400, "unexpected-body");

        using var client = new HttpClient { BaseAddress = Http1 };
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync("/v1/kv/h", new ByteArrayContent("ok"u8.ToArray()))).StatusCode);
        Assert.Equal("ok", await client.GetStringAsync("/v1/kv/h"));
    }
}
