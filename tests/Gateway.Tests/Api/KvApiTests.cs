using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansRaft.Gateway.Tests.Infrastructure;
using OrleansRaft.Testing.Http;
using OrleansRaft.Testing.Polling;
using Xunit.Abstractions;

namespace OrleansRaft.Gateway.Tests.Api;

/// <summary>
/// Every route and every client-error status of API.md through the in-memory gateway (WebApplicationFactory) in
/// front of a real 3-silo cluster; after each bad input the cluster still serves a PUT and a GET.
/// </summary>
public sealed class KvApiTests : IClassFixture<ClusterFixture>
{
    private const int MiB = 1 << 20;
    private readonly ClusterFixture fixture;
    private readonly HttpClient client;

    public KvApiTests(ClusterFixture fixture, ITestOutputHelper output)
    {
        this.fixture = fixture;
        fixture.Sink.Output = output;
        client = fixture.Client;
    }

    [Fact]
    public async Task Put_get_append_delete_round_trip_with_their_reply_shapes()
    {
        var key = Unique("round");
        var put = await client.PutAsync($"/v1/kv/{key}", Bytes("hello"));
        var putIndex = (await JsonAsync(put)).GetProperty("index").GetInt64();
        Assert.True(putIndex > 0);
        Assert.Equal("application/json", put.Content.Headers.ContentType?.MediaType);

        var get = await client.GetAsync($"/v1/kv/{key}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("application/octet-stream", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal("hello", await get.Content.ReadAsStringAsync());

        var append = await JsonAsync(await client.PostAsync($"/v1/kv/{key}/append", Bytes(", world")));
        Assert.True(append.GetProperty("index").GetInt64() > putIndex);
        Assert.Equal(12, append.GetProperty("length").GetInt64());
        Assert.Equal("hello, world", await client.GetStringAsync($"/v1/kv/{key}"));

        var appendToAbsent = await JsonAsync(await client.PostAsync($"/v1/kv/{Unique("fresh")}/append", Bytes("abc")));
        Assert.Equal(3, appendToAbsent.GetProperty("length").GetInt64());

        var delete = await JsonAsync(await client.DeleteAsync($"/v1/kv/{key}"));
        Assert.True(delete.GetProperty("index").GetInt64() > putIndex);
        Assert.True(delete.GetProperty("deleted").GetBoolean());
        await ProblemAssert.IsProblemAsync(await client.GetAsync($"/v1/kv/{key}"), HttpStatusCode.NotFound, "key-not-found");
        Assert.False((await JsonAsync(await client.DeleteAsync($"/v1/kv/{key}"))).GetProperty("deleted").GetBoolean());

        // An empty value is a value.
        var empty = Unique("empty");
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/v1/kv/{empty}", Bytes(string.Empty))).StatusCode);
        var emptyGet = await client.GetAsync($"/v1/kv/{empty}");
        Assert.Equal(HttpStatusCode.OK, emptyGet.StatusCode);
        Assert.Empty(await emptyGet.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Stale_reads_come_from_some_replica_and_catch_up()
    {
        var key = Unique("stale");
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/v1/kv/{key}", Bytes("v1"))).StatusCode);
        Assert.Equal("v1", await client.GetStringAsync($"/v1/kv/{key}?consistency=linearizable"));

        // Round-robin over replicas: each may lag, but every one catches up within a bounded time.
        for (var i = 0; i < 6; i++)
        {
            await Eventually.HoldsAsync(
                async () =>
                {
                    var response = await client.GetAsync($"/v1/kv/{key}?consistency=stale");
                    Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"stale read: {(int)response.StatusCode}");
                    return response.StatusCode == HttpStatusCode.OK && await response.Content.ReadAsStringAsync() == "v1";
                },
                TimeSpan.FromSeconds(10),
                () => "a stale read never saw the write");
        }

        await ProblemAssert.IsProblemAsync(await client.GetAsync($"/v1/kv/{Unique("absent")}?consistency=stale"), HttpStatusCode.NotFound, "key-not-found");
    }

    [Fact]
    public async Task Percent_encoded_keys_round_trip_and_2F_means_a_slash_inside_one_key()
    {
        // "dir/sub/file" is one key, sent as one segment.
        Assert.Equal(200, (await RawAsync("PUT", "/v1/kv/dir%2Fsub%2Ffile", "slashed")).Status);
        Assert.Equal("slashed", (await RawAsync("GET", "/v1/kv/dir%2fsub%2ffile")).Body);
        Assert.Equal("slashed", await client.GetStringAsync("/v1/kv/dir%2Fsub%2Ffile"));

        // "%252F" decodes once, to the different key "dir%2Fsub%2Ffile".
        ProblemAssert.Body((await RawAsync("GET", "/v1/kv/dir%252Fsub%252Ffile")).Body, 404, "key-not-found");
        Assert.Equal(200, (await RawAsync("PUT", "/v1/kv/dir%252Fsub%252Ffile", "percent")).Status);
        Assert.Equal("slashed", (await RawAsync("GET", "/v1/kv/dir%2Fsub%2Ffile")).Body);
        Assert.Equal("percent", (await RawAsync("GET", "/v1/kv/dir%252Fsub%252Ffile")).Body);

        // Any UTF-8, and appends to such keys.
        var encoded = "/v1/kv/" + Uri.EscapeDataString("ключ/✓ 𝄞?#&=+");
        Assert.Equal(200, (await RawAsync("PUT", encoded, "u")).Status);
        Assert.Equal(200, (await RawAsync("POST", encoded + "/append", "v")).Status);
        Assert.Equal("uv", (await RawAsync("GET", encoded)).Body);

        // Exactly 1024 bytes is allowed (the 1025-byte key is a bad-input case).
        var longest = new string('k', 1024);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/v1/kv/{longest}", Bytes("long"))).StatusCode);
        Assert.Equal("long", await client.GetStringAsync($"/v1/kv/{longest}"));
        Assert.Equal(200, (await RawAsync("PUT", "/v1/kv/" + string.Concat(Enumerable.Repeat("%C3%A9", 512)), "é")).Status);
    }

    [Theory]
    [InlineData("PUT", "/v1/kv/", "empty key")]
    [InlineData("GET", "/v1/kv/", "empty key")]
    [InlineData("POST", "/v1/kv//append", "empty key on append")]
    [InlineData("PUT", "/v1/kv/%zz", "percent sign without hex digits")]
    [InlineData("GET", "/v1/kv/ab%4", "truncated percent-encoding")]
    [InlineData("DELETE", "/v1/kv/ab%", "percent sign at the end")]
    [InlineData("GET", "/v1/kv/%FF", "a byte that starts no UTF-8 character")]
    [InlineData("PUT", "/v1/kv/%C3%28", "a broken two-byte UTF-8 sequence")]
    [InlineData("GET", "/v1/kv/%ED%A0%80", "an encoded UTF-16 surrogate")]
    [InlineData("POST", "/v1/kv/%E2%82/append", "a truncated three-byte UTF-8 sequence on append")]
    public async Task Invalid_keys_get_400(string method, string target, string what)
    {
        var response = await RawAsync(method, target, method is "PUT" or "POST" ? "x" : null);
        Assert.True(response.Status == 400, $"{what}: {response.Status} {response.Body}");
        Assert.Equal("application/problem+json", response.Header("content-type"));
        ProblemAssert.Body(response.Body, 400, "invalid-key");
        await fixture.AssertStillServingAsync();
    }

    [Fact]
    public async Task A_key_over_1024_bytes_gets_400()
    {
        await ProblemAssert.IsProblemAsync(await client.PutAsync($"/v1/kv/{new string('k', 1025)}", Bytes("x")), HttpStatusCode.BadRequest, "invalid-key");
        // 513 two-byte characters: 1026 bytes in only 513 characters.
        ProblemAssert.Body((await RawAsync("GET", "/v1/kv/" + string.Concat(Enumerable.Repeat("%C3%A9", 513)))).Body, 400, "invalid-key");
        await ProblemAssert.IsProblemAsync(await client.GetAsync($"/v1/kv/{new string('k', 5000)}"), HttpStatusCode.BadRequest, "invalid-key");
        await fixture.AssertStillServingAsync();
    }

    [Fact]
    public async Task A_value_over_the_limit_gets_413_by_length_and_while_streaming()
    {
        var key = Unique("big");
        await ProblemAssert.IsProblemAsync(await client.PutAsync($"/v1/kv/{key}", new ByteArrayContent(new byte[MiB + 1])), HttpStatusCode.RequestEntityTooLarge, "value-too-large");

        // No Content-Length: the body streams and is cut off once past the limit.
        var streamed = new StreamContent(new UnknownLengthStream(new byte[MiB + 1]));
        Assert.Null(streamed.Headers.ContentLength);
        await ProblemAssert.IsProblemAsync(await client.PutAsync($"/v1/kv/{key}", streamed), HttpStatusCode.RequestEntityTooLarge, "value-too-large");
        await ProblemAssert.IsProblemAsync(await client.PostAsync($"/v1/kv/{key}/append", new ByteArrayContent(new byte[MiB + 1])), HttpStatusCode.RequestEntityTooLarge, "value-too-large");
        await ProblemAssert.IsProblemAsync(await client.GetAsync($"/v1/kv/{key}"), HttpStatusCode.NotFound);

        // Exactly the limit is fine, streamed or not.
        var value = new byte[MiB];
        Random.Shared.NextBytes(value);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/v1/kv/{key}", new ByteArrayContent(value))).StatusCode);
        Assert.Equal(value, await client.GetByteArrayAsync($"/v1/kv/{key}"));
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/v1/kv/{key}", new StreamContent(new UnknownLengthStream(new byte[MiB])))).StatusCode);
        await fixture.AssertStillServingAsync();
    }

    [Theory]
    [InlineData("?consistency=bad")]
    [InlineData("?consistency=STALE")]
    [InlineData("?consistency=")]
    [InlineData("?consistency=stale&consistency=stale")]
    public async Task A_bad_consistency_gets_400(string query)
    {
        var key = Unique("consistency");
        await client.PutAsync($"/v1/kv/{key}", Bytes("v"));
        await ProblemAssert.IsProblemAsync(await client.GetAsync($"/v1/kv/{key}{query}"), HttpStatusCode.BadRequest, "invalid-consistency");
        await fixture.AssertStillServingAsync();
    }

    [Theory]
    [InlineData("129 characters")]
    [InlineData("space")]
    [InlineData("non-ASCII")]
    [InlineData("tab")]
    [InlineData("two headers")]
    public async Task A_bad_Idempotency_Key_gets_400(string what)
    {
        var key = Unique("idem-bad");
        var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/kv/{key}") { Content = Bytes("v") };
        var added = what switch
        {
            "129 characters" => request.Headers.TryAddWithoutValidation("Idempotency-Key", new string('a', 129)),
            "space" => request.Headers.TryAddWithoutValidation("Idempotency-Key", "has space"),
            "non-ASCII" => request.Headers.TryAddWithoutValidation("Idempotency-Key", "ключ"),
            "tab" => request.Headers.TryAddWithoutValidation("Idempotency-Key", "a\tb"),
            _ => request.Headers.TryAddWithoutValidation("Idempotency-Key", ["one", "two"]),
        };
        Assert.True(added);
        await ProblemAssert.IsProblemAsync(await client.SendAsync(request), HttpStatusCode.BadRequest, "invalid-idempotency-key");
        await ProblemAssert.IsProblemAsync(await client.GetAsync($"/v1/kv/{key}"), HttpStatusCode.NotFound);

        // 128 visible ASCII characters are fine.
        var longest = new HttpRequestMessage(HttpMethod.Put, $"/v1/kv/{key}") { Content = Bytes("v") };
        longest.Headers.Add("Idempotency-Key", new string('~', 127) + "!");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(longest)).StatusCode);
        await fixture.AssertStillServingAsync();
    }

    [Theory]
    [InlineData("POST", "/v1/kv/x", "DELETE, GET, PUT")]
    [InlineData("PATCH", "/v1/kv/x", "DELETE, GET, PUT")]
    [InlineData("GET", "/v1/kv/x/append", "POST")]
    [InlineData("PUT", "/v1/kv/x/append", "POST")]
    [InlineData("POST", "/v1/cluster", "GET")]
    [InlineData("DELETE", "/healthz", "GET")]
    [InlineData("PUT", "/readyz", "GET")]
    [InlineData("POST", "/", "GET")]
    public async Task A_wrong_method_on_a_known_route_gets_405(string method, string target, string allow)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), target);
        if (method is "PUT" or "POST" or "PATCH")
        {
            request.Content = Bytes("x");
        }

        var response = await client.SendAsync(request);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow.Order()));
        await fixture.AssertStillServingAsync();
    }

    [Theory]
    [InlineData("GET", "/index.html")]
    [InlineData("GET", "/nope")]
    [InlineData("PUT", "/v2/kv/x")]
    [InlineData("GET", "/v1/kv/a/b")]
    [InlineData("POST", "/v1/kv/x/prepend")]
    public async Task An_unknown_route_gets_404(string method, string target)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), target);
        await ProblemAssert.IsProblemAsync(await client.SendAsync(request), HttpStatusCode.NotFound, "route-not-found");
        await fixture.AssertStillServingAsync();
    }

    [Fact]
    public async Task A_GET_with_a_body_gets_400()
    {
        var key = Unique("getbody");
        await client.PutAsync($"/v1/kv/{key}", Bytes("v"));
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/kv/{key}") { Content = Bytes("a body") };
        await ProblemAssert.IsProblemAsync(await client.SendAsync(request), HttpStatusCode.BadRequest, "unexpected-body");
        await fixture.AssertStillServingAsync();
    }

    [Fact]
    public async Task An_Idempotency_Key_replay_returns_the_first_outcome_and_applies_once()
    {
        var key = Unique("idem");
        var idempotencyKey = "append-" + Guid.NewGuid().ToString("N");
        var first = await JsonAsync(await AppendAsync(key, "ab", idempotencyKey));
        var second = await JsonAsync(await AppendAsync(key, "ab", idempotencyKey));
        Assert.Equal(first.GetProperty("index").GetInt64(), second.GetProperty("index").GetInt64());
        Assert.Equal(2, second.GetProperty("length").GetInt64());
        Assert.Equal("ab", await client.GetStringAsync($"/v1/kv/{key}"));

        // The key names the request, not its body: a different suffix under the same key is the same request.
        var third = await JsonAsync(await AppendAsync(key, "zzz", idempotencyKey));
        Assert.Equal(first.GetProperty("index").GetInt64(), third.GetProperty("index").GetInt64());
        Assert.Equal("ab", await client.GetStringAsync($"/v1/kv/{key}"));

        // A new key is a new request.
        Assert.Equal(4, (await JsonAsync(await AppendAsync(key, "cd", "append-" + Guid.NewGuid().ToString("N")))).GetProperty("length").GetInt64());

        // PUT: another write in between does not change the replayed reply, nor is the replay applied again.
        var putKey = "put-" + Guid.NewGuid().ToString("N");
        var put = await JsonAsync(await SendWithKeyAsync(HttpMethod.Put, $"/v1/kv/{key}", "first", putKey));
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/v1/kv/{key}", Bytes("second"))).StatusCode);
        var replay = await JsonAsync(await SendWithKeyAsync(HttpMethod.Put, $"/v1/kv/{key}", "first", putKey));
        Assert.Equal(put.GetProperty("index").GetInt64(), replay.GetProperty("index").GetInt64());
        Assert.Equal("second", await client.GetStringAsync($"/v1/kv/{key}"));
    }

    [Fact]
    public async Task Concurrent_writes_without_a_key_each_apply_once_at_their_own_index()
    {
        var key = Unique("concurrent");
        var replies = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => client.PostAsync($"/v1/kv/{key}/append", Bytes("x"))));
        var indexes = new List<long>();
        foreach (var reply in replies)
        {
            indexes.Add((await JsonAsync(reply)).GetProperty("index").GetInt64());
        }

        Assert.Equal(100, indexes.Distinct().Count());
        Assert.Equal(new string('x', 100), await client.GetStringAsync($"/v1/kv/{key}"));
    }

    [Fact]
    public async Task The_OpenAPI_document_is_JSON_listing_every_route()
    {
        var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");
        var expected = new Dictionary<string, string[]>
        {
            ["/v1/kv/{key}"] = ["delete", "get", "put"],
            ["/v1/kv/{key}/append"] = ["post"],
            ["/v1/cluster"] = ["get"],
            ["/healthz"] = ["get"],
            ["/readyz"] = ["get"],
        };
        foreach (var (path, methods) in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var operations), $"no {path} in the OpenAPI document");
            Assert.Equal(methods, operations.EnumerateObject().Select(o => o.Name).Where(n => n is "get" or "put" or "post" or "delete").Order());
        }

        var get = paths.GetProperty("/v1/kv/{key}").GetProperty("get");
        Assert.Contains(get.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "consistency");
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("ClusterNode").GetProperty("properties").TryGetProperty("elections", out _), "ClusterNode has no elections in the OpenAPI document");
        var election = schemas.GetProperty("ElectionRecord").GetProperty("properties");
        Assert.All(new[] { "term", "startedAt", "endedAt", "outcome", "winner", "preVote", "reason", "votesGranted", "votesRejected", "votesNeeded" }, name => Assert.True(election.TryGetProperty(name, out _), $"ElectionRecord has no {name}"));
        Assert.True(paths.GetProperty("/v1/kv/{key}").GetProperty("put").GetProperty("requestBody").GetProperty("content").TryGetProperty("application/octet-stream", out _));
    }

    [Fact]
    public async Task Cluster_health_and_ready_describe_a_healthy_cluster()
    {
        var cluster = await JsonAsync(await client.GetAsync("/v1/cluster"));
        var leader = cluster.GetProperty("leader").GetInt64();
        Assert.True(cluster.GetProperty("term").GetInt64() > 0);
        var nodes = cluster.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal([1L, 2L, 3L], nodes.Select(n => n.GetProperty("id").GetInt64()));
        foreach (var node in nodes)
        {
            Assert.StartsWith("http://127.0.0.1:", node.GetProperty("address").GetString());
            Assert.True(node.GetProperty("reachable").GetBoolean());
            Assert.Contains(node.GetProperty("role").GetString(), new[] { "leader", "follower", "candidate", "learner" });
            Assert.True(node.GetProperty("term").GetInt64() > 0);
            Assert.True(node.GetProperty("commitIndex").GetInt64() >= 0);
            Assert.True(node.GetProperty("appliedIndex").GetInt64() >= 0);
        }

        var leaderNode = nodes.Single(n => n.GetProperty("id").GetInt64() == leader);
        Assert.Equal("leader", leaderNode.GetProperty("role").GetString());

        // Each node's recent elections; the leader's last one is the election that made it leader of this term.
        Assert.All(nodes, n => Assert.Equal(JsonValueKind.Array, n.GetProperty("elections").ValueKind));
        var won = leaderNode.GetProperty("elections").EnumerateArray().Last();
        Assert.Equal("won", won.GetProperty("outcome").GetString());
        Assert.Equal(leader, won.GetProperty("winner").GetInt64());
        Assert.Equal(leaderNode.GetProperty("term").GetInt64(), won.GetProperty("term").GetInt64());
        Assert.Equal("election_timeout", won.GetProperty("reason").GetString());
        Assert.False(won.GetProperty("preVote").GetBoolean());
        Assert.Equal(2, won.GetProperty("votesNeeded").GetInt32());
        Assert.True(won.GetProperty("endedAt").GetDateTimeOffset() >= won.GetProperty("startedAt").GetDateTimeOffset());

        var health = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var ready = await JsonAsync(await client.GetAsync("/readyz"));
        Assert.Equal(leader, ready.GetProperty("leader").GetInt64());
    }

    private Task<RawHttpResponse> RawAsync(string method, string rawTarget, string? body = null) =>
        RawTarget.SendAsync(fixture.Factory.Server, method, rawTarget, body is null ? null : Encoding.UTF8.GetBytes(body));

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static ByteArrayContent Bytes(string text)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private Task<HttpResponseMessage> AppendAsync(string key, string suffix, string idempotencyKey) =>
        SendWithKeyAsync(HttpMethod.Post, $"/v1/kv/{key}/append", suffix, idempotencyKey);

    private Task<HttpResponseMessage> SendWithKeyAsync(HttpMethod method, string target, string body, string idempotencyKey)
    {
        var request = new HttpRequestMessage(method, target) { Content = Bytes(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }
}
