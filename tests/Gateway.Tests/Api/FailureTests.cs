using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using OrleansRaft.Gateway.Tests.Infrastructure;
using OrleansRaft.Testing.Polling;
using OrleansRaft.Testing.Processes;
using Xunit.Abstractions;

namespace OrleansRaft.Gateway.Tests.Api;

/// <summary>The server-side statuses of API.md: 503 + Retry-After, 504, and requests across a leader change. Each test has its own cluster.</summary>
public sealed class FailureTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly OwnedClusters clusters = new(new OutputSink(output));


    [Fact]
    public async Task Without_a_reachable_leader_requests_get_503_with_Retry_After_and_readyz_turns_503()
    {
        var cluster = await StartClusterAsync();
        var leader = await cluster.AgreedLeaderAsync();
        var client = NewGateway(cluster, deadlineMs: 1000);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync("/v1/kv/before", Bytes("1"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);

        // The leader and one follower stop: the survivor can elect nobody and knows no live leader.
        var survivor = cluster.Silos.First(s => s != leader);
        await Task.WhenAll(cluster.Silos.Where(s => s != survivor).Select(s => s.StopAsync()));

        var clock = Stopwatch.StartNew();
        var put = await client.PutAsync("/v1/kv/after", Bytes("2"));
        await ProblemAssert.IsProblemAsync(put, HttpStatusCode.ServiceUnavailable, "no-leader");
        Assert.Equal(TimeSpan.FromSeconds(1), put.Headers.RetryAfter?.Delta);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the 503 took {clock.Elapsed}");

        var get = await client.GetAsync("/v1/kv/before");
        await ProblemAssert.IsProblemAsync(get, HttpStatusCode.ServiceUnavailable, "no-leader");
        Assert.NotNull(get.Headers.RetryAfter);
        var delete = await client.DeleteAsync("/v1/kv/before");
        await ProblemAssert.IsProblemAsync(delete, HttpStatusCode.ServiceUnavailable, "no-leader");

        await ProblemAssert.IsProblemAsync(await client.GetAsync("/readyz"), HttpStatusCode.ServiceUnavailable, "not-ready");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        // The survivor still serves its applied state to stale reads.
        Assert.Equal("1", await client.GetStringAsync("/v1/kv/before?consistency=stale"));

        await Eventually.HoldsAsync(
            async () =>
            {
                using var document = JsonDocument.Parse(await client.GetStringAsync("/v1/cluster"));
                var root = document.RootElement;
                var nodes = root.GetProperty("nodes").EnumerateArray().ToList();
                return root.GetProperty("leader").ValueKind == JsonValueKind.Null
                    && nodes.Count(n => !n.GetProperty("reachable").GetBoolean() && n.GetProperty("role").GetString() == "unknown") == 2
                    && nodes.Single(n => n.GetProperty("id").GetInt64() == survivor.NodeId).GetProperty("reachable").GetBoolean();
            },
            TimeSpan.FromSeconds(10),
            () => "/v1/cluster never showed two unreachable silos and no leader");

        // Client errors stay 4xx while the cluster is down.
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/v1/kv/x?consistency=bad"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_gateway_whose_silos_are_all_down_answers_503_and_stays_up()
    {
        var silos = $"1=http://127.0.0.1:{FreePort.Next()},2=http://127.0.0.1:{FreePort.Next()},3=http://127.0.0.1:{FreePort.Next()}";
        var client = clusters.NewGateway(silos, "DeadlineMs", 800);

        var put = await client.PutAsync("/v1/kv/k", Bytes("v"));
        await ProblemAssert.IsProblemAsync(put, HttpStatusCode.ServiceUnavailable, "no-leader");
        Assert.NotNull(put.Headers.RetryAfter);
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/v1/kv/k"), HttpStatusCode.ServiceUnavailable, "no-leader");
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/v1/kv/k?consistency=stale"), HttpStatusCode.ServiceUnavailable, "no-leader");
        await ProblemAssert.IsProblemAsync(await client.PostAsync("/v1/kv/k/append", Bytes("v")), HttpStatusCode.ServiceUnavailable, "no-leader");
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/readyz"), HttpStatusCode.ServiceUnavailable, "not-ready");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        using var document = JsonDocument.Parse(await client.GetStringAsync("/v1/cluster"));
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("leader").ValueKind);
        Assert.All(document.RootElement.GetProperty("nodes").EnumerateArray(), node =>
        {
            Assert.False(node.GetProperty("reachable").GetBoolean());
            Assert.Equal("unknown", node.GetProperty("role").GetString());
        });

        // A client error is still a client error.
        await ProblemAssert.IsProblemAsync(await client.PutAsync($"/v1/kv/{new string('k', 1025)}", Bytes("v")), HttpStatusCode.BadRequest, "invalid-key");
    }

    [Fact]
    public async Task A_write_the_leader_took_but_could_not_commit_gets_504()
    {
        // A long election timeout keeps the leader in office (CheckQuorum) well past the gateway's deadline.
        var cluster = await StartClusterAsync((1500, 2500));
        var leader = await cluster.AgreedLeaderAsync();
        var client = NewGateway(cluster, deadlineMs: 700);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync("/v1/kv/k", Bytes("committed"))).StatusCode);

        await Task.WhenAll(cluster.Silos.Where(s => s != leader).Select(s => s.StopAsync()));
        var put = await client.PutAsync("/v1/kv/k", Bytes("unknown"));
        var problem = await ProblemAssert.IsProblemAsync(put, HttpStatusCode.GatewayTimeout, "outcome-unknown");
        Assert.Contains("Idempotency-Key", problem.GetProperty("detail").GetString());
        Assert.Null(put.Headers.RetryAfter);

        var append = new HttpRequestMessage(HttpMethod.Post, "/v1/kv/k/append") { Content = Bytes("+") };
        append.Headers.Add("Idempotency-Key", "stuck-append");
        await ProblemAssert.IsProblemAsync(await client.SendAsync(append), HttpStatusCode.GatewayTimeout, "outcome-unknown");

        // A linearizable read the leader took but could not confirm: 504 as well.
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/v1/kv/k"), HttpStatusCode.GatewayTimeout, "outcome-unknown");
    }

    [Fact]
    public async Task Requests_across_a_leader_transfer_and_a_leader_stop_complete_correctly_and_acknowledged_writes_survive()
    {
        var cluster = await StartClusterAsync();
        var leader = await cluster.AgreedLeaderAsync();
        var client = NewGateway(cluster, deadlineMs: 5000);

        var acknowledged = new ConcurrentDictionary<string, string>();
        var appendsAcknowledged = new ConcurrentDictionary<int, int>();
        var appendsUnresolved = new ConcurrentDictionary<int, int>();
        var statuses = new ConcurrentDictionary<int, int>();
        using var stop = new CancellationTokenSource();

        async Task WriterAsync(int writer)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var key = $"w{writer}-{i}";
                var value = $"value of {key}";
                var put = await client.PutAsync($"/v1/kv/{key}", Bytes(value));
                statuses.AddOrUpdate((int)put.StatusCode, 1, (_, n) => n + 1);
                if (put.StatusCode == HttpStatusCode.OK)
                {
                    acknowledged[key] = value;
                }

                // An append under one Idempotency-Key, retried until it is known to have applied: exactly once.
                var resolved = false;
                for (var attempt = 0; attempt < 10 && !resolved; attempt++)
                {
                    var append = new HttpRequestMessage(HttpMethod.Post, $"/v1/kv/counter-{writer}/append") { Content = Bytes("x") };
                    append.Headers.Add("Idempotency-Key", $"counter-{writer}-{i}");
                    var reply = await client.SendAsync(append);
                    statuses.AddOrUpdate((int)reply.StatusCode, 1, (_, n) => n + 1);
                    resolved = reply.StatusCode == HttpStatusCode.OK;
                }

                (resolved ? appendsAcknowledged : appendsUnresolved).AddOrUpdate(writer, 1, (_, n) => n + 1);
            }
        }

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() => WriterAsync(w))).ToArray();
        try
        {
            await AcknowledgedAtLeastAsync(acknowledged, 40, "before the transfer");

            var target = cluster.Silos.First(s => s != leader);
            Assert.True(await leader.Client.TransferLeadership(target.NodeId, CancellationToken.None), "the leader refused the transfer");
            await cluster.AgreedLeaderAsync(expected: target.NodeId);
            await AcknowledgedAtLeastAsync(acknowledged, acknowledged.Count + 40, "after the transfer");

            await target.StopAsync();
            var next = await cluster.AgreedLeaderAsync();
            clusters.Sink.Write($"node {target.NodeId} stopped; node {next.NodeId} leads");
            await AcknowledgedAtLeastAsync(acknowledged, acknowledged.Count + 40, "after the leader stopped");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        clusters.Sink.Write($"statuses: {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}; {acknowledged.Count} puts acknowledged");
        Assert.All(statuses.Keys, status => Assert.Contains(status, new[] { 200, 503, 504 }));

        foreach (var (key, value) in acknowledged)
        {
            var get = await client.GetAsync($"/v1/kv/{key}");
            Assert.True(get.StatusCode == HttpStatusCode.OK, $"acknowledged {key} reads {(int)get.StatusCode}");
            Assert.Equal(value, await get.Content.ReadAsStringAsync());
        }

        for (var writer = 0; writer < 4; writer++)
        {
            var length = (await client.GetByteArrayAsync($"/v1/kv/counter-{writer}")).Length;
            var done = appendsAcknowledged.GetValueOrDefault(writer);
            var unknown = appendsUnresolved.GetValueOrDefault(writer);
            Assert.True(length >= done && length <= done + unknown, $"writer {writer}: {length} appends applied, {done} acknowledged once each, {unknown} unresolved");
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => clusters.DisposeAsync().AsTask();

    private static ByteArrayContent Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    private static async Task AcknowledgedAtLeastAsync(ConcurrentDictionary<string, string> acknowledged, int count, string when) =>
        await Eventually.HoldsAsync(
            () => Task.FromResult(acknowledged.Count >= count),
            TimeSpan.FromSeconds(30),
            () => $"only {acknowledged.Count} of {count} writes acknowledged {when}");

    private Task<SiloCluster> StartClusterAsync((int, int)? electionTimeoutMs = null) => clusters.StartAsync(electionTimeoutMs);

    private HttpClient NewGateway(SiloCluster cluster, int deadlineMs) => clusters.NewGateway(cluster.SilosArgument, "DeadlineMs", deadlineMs);
}
