using System.Text;
using OrleansRaft.Grains.Client;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Testing.Polling;
using OrleansRaft.Testing.Processes;
using OrleansRaft.Testing.Silos;
using Xunit.Abstractions;

namespace OrleansRaft.Grains.Tests.Silo;

/// <summary>Three silos in this process talking real HTTP/2 over loopback, each with an in-memory log.</summary>
public sealed class SiloClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Three_silos_elect_commit_read_redirect_transfer_and_survive_a_stopped_leader()
    {
        var ports = new Dictionary<long, int> { [1] = FreePort.Next(), [2] = FreePort.Next(), [3] = FreePort.Next() };
        var silos = await Task.WhenAll(ports.Keys.Select(id => TestSilo.StartAsync(TestSilo.OptionsFor(id, ports), prefix => new TestOutputLoggerProvider(output, prefix))));
        try
        {
            var leader = await AgreedLeaderAsync(silos);
            output.WriteLine($"leader: node {leader.NodeId}");

            // Writes through the leader commit; linearizable reads on the leader see them.
            for (var i = 1; i <= 20; i++)
            {
                var put = await leader.Client.Put($"key{i}", Encoding.UTF8.GetBytes($"value{i}"), new ClientRequest("cluster-test", i, i), CancellationToken.None);
                Assert.True(put.Status == KvStatus.Ok, $"put key{i}: {put.Status} {put.Detail}");
            }

            var appended = await leader.Client.Append("key1", "+"u8.ToArray(), new ClientRequest("cluster-test", 21, 21), CancellationToken.None);
            Assert.Equal((KvStatus.Ok, 7L), (appended.Status, appended.Length));
            for (var i = 1; i <= 20; i++)
            {
                var get = await leader.Client.Get($"key{i}", ReadConsistency.Linearizable, CancellationToken.None);
                Assert.Equal(KvStatus.Ok, get.Status);
                Assert.Equal(i == 1 ? "value1+" : $"value{i}", Encoding.UTF8.GetString(get.Value!));
            }

            // Followers refuse writes and linearizable reads, naming the leader; their stale reads catch up.
            foreach (var follower in silos.Where(s => s != leader))
            {
                var put = await follower.Client.Put("nope", "x"u8.ToArray(), null, CancellationToken.None);
                Assert.Equal((KvStatus.NotLeader, leader.NodeId), (put.Status, put.LeaderHint));
                var get = await follower.Client.Get("key1", ReadConsistency.Linearizable, CancellationToken.None);
                Assert.Equal((KvStatus.NotLeader, leader.NodeId), (get.Status, get.LeaderHint));
                await Eventually.HoldsAsync(
                    async () => (await follower.Client.Get("key20", ReadConsistency.Stale, CancellationToken.None)).Status == KvStatus.Ok,
                    Deadline,
                    () => $"follower {follower.NodeId} never applied key20");
            }

            // Leadership transfer through the replica API.
            var target = silos.First(s => s != leader);
            Assert.True(await leader.Client.TransferLeadership(target.NodeId, CancellationToken.None), "the leader refused the transfer");
            leader = await AgreedLeaderAsync(silos, expected: target.NodeId);
            Assert.Equal(KvStatus.Ok, (await leader.Client.Put("after-transfer", "1"u8.ToArray(), null, CancellationToken.None)).Status);

            // The leader stops gracefully; the other two elect a new one and keep serving every committed write.
            await leader.StopAsync();
            var survivors = silos.Where(s => s != leader).ToArray();
            var next = await AgreedLeaderAsync(survivors);
            Assert.NotEqual(leader.NodeId, next.NodeId);
            Assert.Equal(KvStatus.Ok, (await next.Client.Put("after-stop", "2"u8.ToArray(), null, CancellationToken.None)).Status);
            foreach (var key in new[] { "key7", "after-transfer", "after-stop" })
            {
                Assert.Equal(KvStatus.Ok, (await next.Client.Get(key, ReadConsistency.Linearizable, CancellationToken.None)).Status);
            }

            foreach (var survivor in survivors)
            {
                var transport = survivor.Directory.Find(1)!.Transport;
                output.WriteLine($"node {survivor.NodeId}: sent {transport.MessagesSent} messages in {transport.Requests} POSTs, {transport.Failures} failed, dropped {transport.MessagesDropped}");
                Assert.True(transport.MessagesSent > 0);
            }
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Membership_changes_through_the_replica_API_refuse_bad_input_and_name_the_leader()
    {
        var ports = new Dictionary<long, int> { [1] = FreePort.Next(), [2] = FreePort.Next(), [3] = FreePort.Next(), [4] = FreePort.Next() };
        var silos = new List<TestSilo>();
        try
        {
            foreach (var id in new long[] { 1, 2, 3 })
            {
                var voterPorts = ports.Where(p => p.Key != 4).ToDictionary();
                silos.Add(await TestSilo.StartAsync(TestSilo.OptionsFor(id, voterPorts), prefix => new TestOutputLoggerProvider(output, prefix)));
            }

            var leader = await AgreedLeaderAsync(silos);
            var joiner = await TestSilo.StartAsync(TestSilo.OptionsFor(4, ports) with { Join = true }, prefix => new TestOutputLoggerProvider(output, prefix));
            silos.Add(joiner);
            var address = new Uri($"http://127.0.0.1:{ports[4]}");

            // A follower takes no change and names the leader.
            var follower = silos.First(s => s != leader && s != joiner);
            var refused = await follower.Client.ChangeMembership(new MembershipRequest(MembershipRequestKind.AddVoter, 4, address), CancellationToken.None);
            Assert.Equal((MembershipStatus.NotLeader, leader.NodeId), (refused.Status, refused.LeaderHint));

            var added = await leader.Client.ChangeMembership(new MembershipRequest(MembershipRequestKind.AddVoter, 4, address), CancellationToken.None);
            Assert.True(added.Status == MembershipStatus.Ok, $"{added.Status}: {added.Detail}");
            Assert.Equal([1L, 2L, 3L, 4L], added.Voters.Order());
            var status = await joiner.Client.Status(CancellationToken.None);
            Assert.Equal([1L, 2L, 3L, 4L], status.Voters.Order());
            Assert.Equal(address.ToString(), (await leader.Client.Status(CancellationToken.None)).MemberAddresses[4]);

            var again = await leader.Client.ChangeMembership(new MembershipRequest(MembershipRequestKind.AddVoter, 4, address), CancellationToken.None);
            Assert.Equal((MembershipStatus.Refused, Raft.ProposeStatus.AlreadyMember), (again.Status, again.Reason));

            // Malformed requests are problem+json 400s (404 for a group the silo does not host); nothing changes.
            using var http = leader.NewHttpClient();
            async Task AssertProblemAsync(HttpRequestMessage request, int status)
            {
                request.Version = System.Net.HttpVersion.Version20;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True((int)response.StatusCode == status, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {body}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }

            HttpRequestMessage Post(string path, string json) => new(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            await AssertProblemAsync(Post("/replica/v1/1/members", "{"), 400);
            await AssertProblemAsync(Post("/replica/v1/1/members", """{"id": 0}"""), 400);
            await AssertProblemAsync(Post("/replica/v1/1/members", """{"id": 5, "role": "boss"}"""), 400);
            await AssertProblemAsync(Post("/replica/v1/1/members", """{"id": 5, "address": "ftp://x"}"""), 400);
            await AssertProblemAsync(Post("/replica/v1/9/members", """{"id": 5}"""), 404);
            await AssertProblemAsync(new HttpRequestMessage(HttpMethod.Delete, "/replica/v1/1/members/0"), 400);
            Assert.Equal([1L, 2L, 3L, 4L], (await leader.Client.Status(CancellationToken.None)).Voters.Order());

            var removed = await leader.Client.ChangeMembership(new MembershipRequest(MembershipRequestKind.Remove, 4), CancellationToken.None);
            Assert.True(removed.Status == MembershipStatus.Ok, $"{removed.Status}: {removed.Detail}");
            Assert.Equal([1L, 2L, 3L], removed.Voters.Order());

            // A silo nobody listens for: the connection is refused, so nothing was proposed. (A fresh client: on the old
            // one a request can meet the stopping silo's connection mid-close, which is rightly "outcome unknown".)
            await joiner.StopAsync();
            using var fresh = KvReplicaClient.CreateHttpClient(address);
            var unreachable = await new KvReplicaClient(fresh, 1).ChangeMembership(new MembershipRequest(MembershipRequestKind.Remove, 3), CancellationToken.None);
            Assert.Equal(MembershipStatus.Unavailable, unreachable.Status);
            Assert.Equal(KvStatus.Ok, (await leader.Client.Put("after", "1"u8.ToArray(), null, CancellationToken.None)).Status);
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    /// <summary>Polls until exactly one live silo leads and every live silo names it as leader.</summary>
    private async Task<TestSilo> AgreedLeaderAsync(IReadOnlyList<TestSilo> silos, long? expected = null)
    {
        TestSilo? leader = null;
        var seen = string.Empty;
        await Eventually.HoldsAsync(
            async () =>
            {
                var statuses = new List<ReplicaStatus>();
                foreach (var silo in silos)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    try
                    {
                        statuses.Add(await silo.Client.Status(timeout.Token));
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                    {
                        return false;
                    }
                }

                seen = string.Join("; ", statuses.Select(s => $"node {s.NodeId} {s.Role} term {s.Term} leader {s.Leader}"));
                var leaders = statuses.Where(s => s.Role == "leader").ToList();
                if (leaders.Count != 1 || statuses.Any(s => s.Leader != leaders[0].NodeId) || (expected is { } id && id != leaders[0].NodeId))
                {
                    return false;
                }

                leader = silos.Single(s => s.NodeId == leaders[0].NodeId);
                return true;
            },
            Deadline,
            () => $"no agreed leader{(expected is { } id ? $" (expected node {id})" : string.Empty)}; last seen: {seen}");
        output.WriteLine($"agreed leader node {leader!.NodeId}: {seen}");
        return leader;
    }
}
