using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using OrleansRaft.Gateway.Tests.Infrastructure;
using OrleansRaft.Testing.Polling;
using OrleansRaft.Testing.Silos;
using Xunit.Abstractions;

namespace OrleansRaft.Gateway.Tests.Api;

/// <summary>
/// The membership routes of API.md against real silos: /v1/cluster/members (GET, POST, DELETE) and /v1/cluster/leader.
/// Each test has its own cluster, since each changes it.
/// </summary>
public sealed class MembershipApiTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly OwnedClusters clusters = new(new OutputSink(output));

    [Fact]
    public async Task Members_lists_the_voters_with_their_addresses_and_the_leader()
    {
        var cluster = await StartClusterAsync();
        var leader = await cluster.AgreedLeaderAsync();
        var client = NewGateway(cluster);

        var members = await GetJsonAsync(client, "/v1/cluster/members");
        Assert.Equal(leader.NodeId, members.GetProperty("leader").GetInt64());
        Assert.True(members.GetProperty("term").GetInt64() > 0);
        var listed = members.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal([1L, 2L, 3L], listed.Select(m => m.GetProperty("id").GetInt64()));
        Assert.All(listed, m => Assert.Equal("voter", m.GetProperty("role").GetString()));
        Assert.All(cluster.Silos, s => Assert.Equal(Address(s), listed.Single(m => m.GetProperty("id").GetInt64() == s.NodeId).GetProperty("address").GetString()));
    }

    [Fact]
    public async Task A_voter_added_through_the_gateway_catches_up_and_can_lead_though_the_gateway_was_not_told_of_it()
    {
        var cluster = await StartClusterAsync();
        await cluster.AgreedLeaderAsync();
        var client = NewGateway(cluster);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/v1/kv/before-{i}", Bytes($"v{i}"))).StatusCode);
        }

        var joiner = await cluster.StartJoiningAsync(4);
        var added = await client.PostAsync("/v1/cluster/members", Json($$"""{"id": 4, "address": "{{Address(joiner)}}", "role": "voter"}"""));
        var reply = await JsonAsync(added, HttpStatusCode.OK);
        Assert.Equal(4, reply.GetProperty("id").GetInt64());
        Assert.Equal("voter", reply.GetProperty("role").GetString());
        Assert.Equal([1L, 2L, 3L, 4L], reply.GetProperty("voters").EnumerateArray().Select(v => v.GetInt64()).Order());
        Assert.Empty(reply.GetProperty("learners").EnumerateArray());

        // The new voter holds every earlier write.
        await Eventually.HoldsAsync(
            async () => (await joiner.Client.Get("before-19", Grains.ReadConsistency.Stale, CancellationToken.None)).Status == Grains.KvStatus.Ok,
            SiloCluster.LeaderTimeout,
            () => "node 4 never applied the writes made before it joined");

        var members = await GetJsonAsync(client, "/v1/cluster/members");
        var four = members.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("id").GetInt64() == 4);
        Assert.Equal("voter", four.GetProperty("role").GetString());
        Assert.Equal(Address(joiner), four.GetProperty("address").GetString());

        // Leadership moves to node 4, which is not in the gateway's --silos: requests still reach the leader.
        var moved = await JsonAsync(await client.PostAsync("/v1/cluster/leader", Json("""{"id": 4}""")), HttpStatusCode.OK);
        Assert.Equal(4, moved.GetProperty("leader").GetInt64());
        await cluster.AgreedLeaderAsync(expected: 4);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync("/v1/kv/after", Bytes("led by 4"))).StatusCode);
        Assert.Equal("led by 4", await client.GetStringAsync("/v1/kv/after"));
        Assert.Equal("v0", await client.GetStringAsync("/v1/kv/before-0"));

        var nodes = (await GetJsonAsync(client, "/v1/cluster")).GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal([1L, 2L, 3L, 4L], nodes.Select(n => n.GetProperty("id").GetInt64()));
        Assert.Equal("leader", nodes.Single(n => n.GetProperty("id").GetInt64() == 4).GetProperty("role").GetString());

        // Asking for the leader it already has answers at once.
        var again = await JsonAsync(await client.PostAsync("/v1/cluster/leader", Json("""{"id": 4}""")), HttpStatusCode.OK);
        Assert.Equal(moved.GetProperty("term").GetInt64(), again.GetProperty("term").GetInt64());
    }

    [Fact]
    public async Task Removing_the_leader_elects_another_and_the_gateway_stops_asking_the_removed_silo()
    {
        var cluster = await StartClusterAsync();
        var leader = await cluster.AgreedLeaderAsync();
        var client = NewGateway(cluster);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync("/v1/kv/k", Bytes("1"))).StatusCode);

        var removed = await JsonAsync(await client.DeleteAsync($"/v1/cluster/members/{leader.NodeId}"), HttpStatusCode.OK);
        Assert.Equal(leader.NodeId, removed.GetProperty("id").GetInt64());
        Assert.False(removed.TryGetProperty("role", out _));
        var voters = removed.GetProperty("voters").EnumerateArray().Select(v => v.GetInt64()).Order().ToList();
        Assert.Equal(cluster.Silos.Select(s => s.NodeId).Where(id => id != leader.NodeId).Order(), voters);

        // The writes go on through the new leader; the removed silo (still running) is no longer listed.
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync("/v1/kv/k", Bytes("2"))).StatusCode);
        Assert.Equal("2", await client.GetStringAsync("/v1/kv/k"));
        var members = await GetJsonAsync(client, "/v1/cluster/members");
        Assert.Contains(members.GetProperty("leader").GetInt64(), voters);
        Assert.Equal(voters, members.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
        var nodes = (await GetJsonAsync(client, "/v1/cluster")).GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetInt64());
        Assert.Equal(voters, nodes);

        // Removing it again: it is no longer a member.
        await ProblemAssert.IsProblemAsync(await client.DeleteAsync($"/v1/cluster/members/{leader.NodeId}"), HttpStatusCode.NotFound, "not-a-member");
    }

    [Fact]
    public async Task Invalid_requests_are_400_and_nothing_changes()
    {
        var cluster = await StartClusterAsync();
        await cluster.AgreedLeaderAsync();
        var client = NewGateway(cluster);

        string[] bodies =
        [
            "{",
            "[]",
            "null",
            """{"id": "four"}""",
            """{"id": 0, "address": "http://127.0.0.1:1"}""",
            """{"id": -3, "address": "http://127.0.0.1:1"}""",
            """{"id": 4, "address": "http://127.0.0.1:1", "role": "boss"}""",
            """{"id": 4, "address": "ftp://127.0.0.1:1"}""",
            """{"id": 4, "address": "not a uri"}""",
            """{"id": 4, "address": "http://127.0.0.1:1/some/path"}""",
            """{"id": 4, "address": "http://127.0.0.1:1", "rol": "voter"}""",
            """{"id": 4}""",
        ];
        foreach (var body in bodies)
        {
            var problem = await ProblemAssert.IsProblemAsync(await client.PostAsync("/v1/cluster/members", Json(body)), HttpStatusCode.BadRequest, "invalid-member");
            clusters.Sink.Write($"{body} -> {problem.GetProperty("detail").GetString()}");
        }

        await ProblemAssert.IsProblemAsync(await client.PostAsync("/v1/cluster/members", new ByteArrayContent([])), HttpStatusCode.BadRequest, "invalid-member");
        await ProblemAssert.IsProblemAsync(await client.DeleteAsync("/v1/cluster/members/abc"), HttpStatusCode.BadRequest, "invalid-member");
        await ProblemAssert.IsProblemAsync(await client.DeleteAsync("/v1/cluster/members/0"), HttpStatusCode.BadRequest, "invalid-member");
        await ProblemAssert.IsProblemAsync(await client.PostAsync("/v1/cluster/leader", Json("""{"id": 0}""")), HttpStatusCode.BadRequest, "invalid-member");
        await ProblemAssert.IsProblemAsync(await client.PostAsync("/v1/cluster/leader", Json("""{"to": 2}""")), HttpStatusCode.BadRequest, "invalid-member");
        var tooLarge = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"id\": 4, \"address\": \"" + new string('a', 70_000) + "\"}"));
        await ProblemAssert.IsProblemAsync(await client.PostAsync("/v1/cluster/members", tooLarge), HttpStatusCode.RequestEntityTooLarge);
        await ProblemAssert.IsProblemAsync(await client.PutAsync("/v1/cluster/members", Json("{}")), HttpStatusCode.MethodNotAllowed);

        var members = await GetJsonAsync(client, "/v1/cluster/members");
        Assert.Equal([1L, 2L, 3L], members.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
        await AssertServingAsync(client);
    }

    [Fact]
    public async Task Conflicting_changes_are_409_with_a_reason_and_a_missing_member_404()
    {
        var cluster = await StartClusterAsync();
        var leader = await cluster.AgreedLeaderAsync();
        var client = NewGateway(cluster);

        var existing = await ProblemAssert.IsProblemAsync(
            await client.PostAsync("/v1/cluster/members", Json($$"""{"id": 2, "address": "{{Address(cluster.Silo(2))}}"}""")),
            HttpStatusCode.Conflict,
            "membership-conflict");
        Assert.Equal("alreadyMember", existing.GetProperty("reason").GetString());
        await ProblemAssert.IsProblemAsync(await client.DeleteAsync("/v1/cluster/members/9"), HttpStatusCode.NotFound, "not-a-member");
        await ProblemAssert.IsProblemAsync(await client.PostAsync("/v1/cluster/leader", Json("""{"id": 9}""")), HttpStatusCode.NotFound, "not-a-member");

        // A learner may not lead.
        var learner = await cluster.StartJoiningAsync(4);
        var added = await JsonAsync(
            await client.PostAsync("/v1/cluster/members", Json($$"""{"id": 4, "address": "{{Address(learner)}}", "role": "learner"}""")),
            HttpStatusCode.OK);
        Assert.Equal("learner", added.GetProperty("role").GetString());
        Assert.Equal([4L], added.GetProperty("learners").EnumerateArray().Select(l => l.GetInt64()));
        await Eventually.HoldsAsync(
            async () => (await GetJsonAsync(client, "/v1/cluster")).GetProperty("nodes").EnumerateArray()
                .Any(n => n.GetProperty("id").GetInt64() == 4 && n.GetProperty("role").GetString() == "learner"),
            SiloCluster.LeaderTimeout,
            () => "GET /v1/cluster never showed node 4 as a learner");
        var notVoter = await ProblemAssert.IsProblemAsync(await client.PostAsync("/v1/cluster/leader", Json("""{"id": 4}""")), HttpStatusCode.Conflict, "membership-conflict");
        Assert.Equal("notVoter", notVoter.GetProperty("reason").GetString());

        // Adding the learner again as a voter promotes it; the address may be left out once the gateway knows it.
        var promoted = await JsonAsync(await client.PostAsync("/v1/cluster/members", Json("""{"id": 4}""")), HttpStatusCode.OK);
        Assert.Equal("voter", promoted.GetProperty("role").GetString());
        Assert.Equal(leader.NodeId, (await GetJsonAsync(client, "/v1/cluster/members")).GetProperty("leader").GetInt64());
    }

    [Fact]
    public async Task The_last_voter_cannot_be_removed()
    {
        var cluster = await StartClusterAsync(count: 1);
        await cluster.AgreedLeaderAsync();
        var client = NewGateway(cluster);

        var problem = await ProblemAssert.IsProblemAsync(await client.DeleteAsync("/v1/cluster/members/1"), HttpStatusCode.Conflict, "membership-conflict");
        Assert.Equal("lastVoter", problem.GetProperty("reason").GetString());
        await AssertServingAsync(client);
    }

    [Fact]
    public async Task A_second_change_while_a_voter_catches_up_is_409_and_one_that_runs_out_of_time_is_504()
    {
        var cluster = await StartClusterAsync();
        await cluster.AgreedLeaderAsync();
        var client = NewGateway(cluster, membershipDeadlineMs: 3000);

        // Node 4's silo never starts: it is added as a learner, then its catch-up cannot finish.
        var nobody = $"http://127.0.0.1:{FreePortNumber()}";
        var stuck = client.PostAsync("/v1/cluster/members", Json($$"""{"id": 4, "address": "{{nobody}}"}"""));
        await Eventually.HoldsAsync(
            async () => (await GetJsonAsync(client, "/v1/cluster/members")).GetProperty("members").EnumerateArray()
                .Any(m => m.GetProperty("id").GetInt64() == 4 && m.GetProperty("role").GetString() == "learner"),
            TimeSpan.FromSeconds(10),
            () => "node 4 never became a learner");

        var second = await ProblemAssert.IsProblemAsync(
            await client.PostAsync("/v1/cluster/members", Json($$"""{"id": 5, "address": "{{nobody}}", "role": "learner"}""")),
            HttpStatusCode.Conflict,
            "membership-conflict");
        Assert.Equal("changeInProgress", second.GetProperty("reason").GetString());

        var timedOut = await ProblemAssert.IsProblemAsync(await stuck, HttpStatusCode.GatewayTimeout, "outcome-unknown");
        Assert.Contains("GET /v1/cluster/members", timedOut.GetProperty("detail").GetString());

        // The learner that never caught up was not promoted, and the three voters still serve.
        var members = await GetJsonAsync(client, "/v1/cluster/members");
        Assert.Equal("learner", members.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("id").GetInt64() == 4).GetProperty("role").GetString());
        await AssertServingAsync(client);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => clusters.DisposeAsync().AsTask();

    private static string Address(TestSilo silo) => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{silo.Address.Port}");

    private static int FreePortNumber() => OrleansRaft.Testing.Processes.FreePort.Next();

    private static ByteArrayContent Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path) => await JsonAsync(await client.GetAsync(path), HttpStatusCode.OK);

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static async Task AssertServingAsync(HttpClient client)
    {
        var key = "alive-" + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync("/v1/kv/" + key, Bytes(key))).StatusCode);
        Assert.Equal(key, await client.GetStringAsync("/v1/kv/" + key));
    }

    private Task<SiloCluster> StartClusterAsync(int count = 3) => clusters.StartAsync(count: count);

    private HttpClient NewGateway(SiloCluster cluster, int membershipDeadlineMs = 30_000) =>
        clusters.NewGateway(cluster.SilosArgument, "MembershipDeadlineMs", membershipDeadlineMs);
}
