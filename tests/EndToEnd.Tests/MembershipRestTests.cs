using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace OrleansRaft.EndToEnd.Tests;

/// <summary>
/// The membership routes through a real cluster (<c>scripts/cluster up</c>, 3 silos): what they refuse and how
/// (problem+json, 404 for a non-member, 409 with a reason, 400 for a bad body), leadership moved on request, and
/// <c>scripts/cluster add | remove</c> passing a refusal on as a failed command that stops nothing,
/// <c>add --learner</c>, and an id added again after its removal starting empty.
/// </summary>
public sealed class MembershipRestTests : IAsyncLifetime
{
    private const int Nodes = 3;
    private const string Members = "/v1/cluster/members";

    private const int MaxTransfers = 3;

    private static readonly TimeSpan LeaderTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ShownTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MemberCommandTimeout = TimeSpan.FromMinutes(6); // above the script's MEMBER_TIMEOUT (300 s)

    private readonly ScriptedCluster cluster;

    public MembershipRestTests(ITestOutputHelper output) => cluster = new ScriptedCluster(output, "e2e-members-rest", Nodes, spareSilos: 1);

    public Task InitializeAsync() => cluster.UpAsync();

    public Task DisposeAsync() => cluster.DisposeAsync().AsTask();

    [Fact]
    public async Task Membership_routes_refuse_bad_changes_and_move_leadership_where_asked()
    {
        var first = await cluster.WaitForLeaderAsync(excluding: null, LeaderTimeout);
        var leader = first.Leader!.Value;
        cluster.Log($"leader {leader}; {first}");

        // Refusals: nothing changes.
        AssertProblem(await SendAsync(HttpMethod.Delete, $"{Members}/9", null), HttpStatusCode.NotFound);
        var again = await SendAsync(HttpMethod.Post, Members, $$"""{"id":2,"address":"{{cluster.Script.SiloAddress(2)}}","role":"voter"}""");
        AssertProblem(again, HttpStatusCode.Conflict);
        Assert.True(JsonDocument.Parse(again.Body).RootElement.TryGetProperty("reason", out var reason) && reason.GetString() is { Length: > 0 }, $"a 409 names its reason: {again}");
        AssertProblem(await SendAsync(HttpMethod.Post, Members, """{"id":"""), HttpStatusCode.BadRequest);
        AssertProblem(await SendAsync(HttpMethod.Post, Members, $$"""{"id":4,"address":"{{cluster.Script.SiloAddress(4)}}","role":"boss"}"""), HttpStatusCode.BadRequest);
        var unchanged = await cluster.MembersAsync(LeaderTimeout);
        Assert.True(unchanged.Voters.SequenceEqual([1L, 2, 3]) && unchanged.Learners.Count == 0, $"after refused changes: {unchanged}");

        // Leadership moves to the voter named, and GET /v1/cluster says so. On a loaded machine an election may take
        // it elsewhere before the poll sees it: then the transfer is asked again, a bounded number of times.
        var to = first.Nodes.Select(n => n.Id).First(id => id != leader);
        ClusterView? shown = null;
        for (var attempt = 1; attempt <= MaxTransfers && shown is null; attempt++)
        {
            var moved = await SendAsync(HttpMethod.Post, "/v1/cluster/leader", $$"""{"id":{{to}}}""");
            Assert.True(moved.Status == HttpStatusCode.OK, $"POST /v1/cluster/leader {{\"id\":{to}}}: {moved}");
            Assert.Equal(to, JsonDocument.Parse(moved.Body).RootElement.GetProperty("leader").GetInt64());
            shown = await ScriptedCluster.PollAsync(
                async () => await cluster.Gateway.TryClusterAsync() is { } view && view.Leader == to && view.Node(to).Role == "leader" ? view : null,
                ShownTimeout);
        }

        Assert.True(shown is not null, $"POST /v1/cluster/leader moved leadership to {to} {MaxTransfers} times, yet GET /v1/cluster never showed it within {ShownTimeout.TotalSeconds:0} s: {await cluster.Gateway.TryClusterAsync()}");
        cluster.Log($"leadership moved from {leader} to {to}: {shown}");

        // scripts/cluster passes a refusal on: it fails with the problem and stops nothing.
        var removeStranger = await cluster.Script.RunAsync(MemberCommandTimeout, "remove", "9");
        Assert.True(!removeStranger.Succeeded && removeStranger.Stderr.Contains("HTTP 404", StringComparison.Ordinal), removeStranger.ToString());
        var addMember = await cluster.Script.RunAsync(MemberCommandTimeout, "add", "2");
        Assert.True(!addMember.Succeeded && addMember.Stderr.Contains("already a member", StringComparison.Ordinal), addMember.ToString());
        Assert.Equal<long>([1, 2, 3], await cluster.RunningSilosAsync());

        // A learner gets the log but no vote: it cannot be made leader; removed, its silo stops.
        var added = await cluster.Script.RunCheckedAsync(MemberCommandTimeout, "add", "4", "--learner");
        cluster.Log(added.Stdout.Trim());
        var withLearner = await cluster.MembersAsync(LeaderTimeout);
        Assert.True(withLearner.Voters.SequenceEqual([1L, 2, 3]) && withLearner.Learners.SequenceEqual([4L]), $"after add 4 --learner: {withLearner}");
        Assert.Equal(cluster.Script.SiloAddress(4), withLearner.Members.Single(m => m.Id == 4).Address);
        Assert.Equal<long>([1, 2, 3, 4], await cluster.RunningSilosAsync());
        AssertProblem(await SendAsync(HttpMethod.Post, "/v1/cluster/leader", """{"id":4}"""), HttpStatusCode.Conflict);

        var removed = await cluster.Script.RunCheckedAsync(MemberCommandTimeout, "remove", "4");
        cluster.Log(removed.Stdout.Trim());
        var back = await cluster.MembersAsync(LeaderTimeout);
        Assert.True(back.Voters.SequenceEqual([1L, 2, 3]) && back.Learners.Count == 0, $"after remove 4: {back}");
        Assert.Equal<long>([1, 2, 3], await cluster.RunningSilosAsync());

        // The same id added again starts on an empty store (remove deleted its rows) and becomes a voter.
        var again4 = await cluster.Script.RunCheckedAsync(MemberCommandTimeout, "add", "4");
        cluster.Log(again4.Stdout.Trim());
        var loaded = File.ReadLines(Path.Combine(cluster.Script.Directory, "node-4.log")).Last(line => line.Contains("node 4: loaded", StringComparison.Ordinal));
        Assert.Contains("log [1, 0]", loaded, StringComparison.Ordinal);
        var voters = await cluster.MembersAsync(LeaderTimeout);
        Assert.True(voters.Voters.SequenceEqual([1L, 2, 3, 4]) && voters.Learners.Count == 0, $"after add 4 again: {voters}");
        cluster.Passed = true;
    }

    private async Task<GatewayAttempt> SendAsync(HttpMethod method, string path, string? json)
    {
        var answer = await cluster.Gateway.SendJsonAsync(method, path, json);
        cluster.Log($"{method} {path} {json}: {answer}");
        return answer;
    }

    private static void AssertProblem(GatewayAttempt answer, HttpStatusCode status)
    {
        Assert.True(answer.Status == status && answer.MediaType == "application/problem+json", $"expected {(int)status} application/problem+json, got {answer} ({answer.MediaType})");
        Assert.Equal((int)status, JsonDocument.Parse(answer.Body).RootElement.GetProperty("status").GetInt32());
    }
}
