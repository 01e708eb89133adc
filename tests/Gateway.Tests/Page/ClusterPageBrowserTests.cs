using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using OrleansRaft.Testing.Browser;
using Xunit.Abstractions;
using static OrleansRaft.Gateway.Tests.Page.CannedCluster;

namespace OrleansRaft.Gateway.Tests.Page;

/// <summary>
/// The cluster page in headless Chromium against a stand-in <c>/v1/cluster</c> whose answer changes between the
/// page's polls: what it shows is read from its DOM (stable ids and data-* attributes) while its own script keeps
/// polling, and nothing may go wrong inside it (no exception, no Content-Security-Policy violation).
/// </summary>
public sealed class ClusterPageBrowserTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    // The machine is shared and slow at times; the page polls every second.
    private static readonly TimeSpan ShowTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_page_shows_the_leader_lag_an_unreachable_silo_and_the_merged_election_timeline_and_follows_a_new_leader()
    {
        // Node 1 leads term 3; node 2 lags 20 entries; node 3 does not answer.
        await using var server = await FakeClusterServer.StartAsync(Reply(1, 3,
            Node(1, "leader", 3, 120, 118,
                Election(2, 0, 210, "superseded", 2, 1, 1),
                Election(3, 5_000, 153, "won", 1, 2, 0)),
            Node(2, "follower", 3, 120, 100,
                Election(2, 10, 95.5, "won", 2, 2, 0),
                Election(3, 4_900, 1_250, "lost", 0, 1, 1, preVote: true)),
            Unreachable(3)));
        await using var page = await chromium.Browser.OpenAsync(server.Address);

        var first = await ClusterPageView.WaitAsync(page, v => v is { State: "live", Leader: 1 }, ShowTimeout, "node 1 as leader");
        output.WriteLine($"first answer:\n{first}");
        Assert.Equal(3, first.Term);
        Assert.Equal("★ node 1", first.LeaderText);
        Assert.Equal([1L, 2L, 3L], first.Nodes.Select(n => n.Id));
        Assert.Equal([true, false, false], first.Nodes.Select(n => n.Leader));
        Assert.Equal(["1", "http://127.0.0.1:7001", "★ leader", "3", "120", "118", "2", "reachable", string.Empty], first.Node(1).Cells);
        Assert.Equal(["2", "http://127.0.0.1:7002", "follower", "3", "120", "100", "20", "reachable", string.Empty], first.Node(2).Cells);
        Assert.Equal(["3", "http://127.0.0.1:7003", "unknown", "–", "–", "–", "–", "unreachable", "Connection refused (127.0.0.1:7003)"], first.Node(3).Cells);
        Assert.Equal([2L, 20L, null], first.Nodes.Select(n => n.Lag));
        Assert.False(first.Node(3).Reachable);
        Assert.Equal([3L], first.NoHistory);

        // Both silos' histories, merged, newest first.
        Assert.Equal([(3L, 1L, "won"), (3L, 2L, "lost"), (2L, 2L, "won"), (2L, 1L, "superseded")], first.Elections.Select(e => (e.Term, e.Node, e.Outcome)));
        Assert.Equal(["3", "node 1", "05:40:05.000", "153 ms", "won", "node 1", "no", "election timeout", "2 / 2"], first.Elections[0].Cells);
        Assert.Equal(["3", "node 2", "05:40:04.900", "1.25 s", "lost", "–", "yes (ended in pre-vote)", "election timeout", "1 / 2 (1 rejected)"], first.Elections[1].Cells);
        Assert.Equal("95 ms", first.Elections[2].Cells[3]);
        var seen = Assert.Single(first.Changes);
        Assert.Null(seen.From);
        Assert.Equal(1, seen.To);
        Assert.EndsWith("first seen: node 1 (term 3)", seen.Text, StringComparison.Ordinal);

        // Node 1 is gone; node 2 leads term 5 after a leadership transfer; node 3 is back with an empty history.
        server.Answer(Reply(2, 5,
            Unreachable(1),
            Node(2, "leader", 5, 130, 130,
                Election(2, 10, 95.5, "won", 2, 2, 0),
                Election(3, 4_900, 1_250, "lost", 0, 1, 1, preVote: true),
                Election(4, 9_000, 300, "lost", 0, 1, 1),
                Election(5, 9_500, 40, "won", 2, 2, 0, reason: "leader_transfer")),
            Node(3, "follower", 5, 130, 127)));

        var second = await ClusterPageView.WaitAsync(page, v => v.Leader == 2, ShowTimeout, "node 2 as the new leader");
        output.WriteLine($"after the change:\n{second}");
        Assert.Equal(5, second.Term);
        Assert.Equal([false, true, false], second.Nodes.Select(n => n.Leader));
        Assert.Equal([null, 0L, 3L], second.Nodes.Select(n => n.Lag));
        Assert.Empty(second.NoHistory);
        Assert.Equal([1L], second.StaleHistory);
        Assert.Equal((5L, 2L, "won", "leader_transfer"), (second.Elections[0].Term, second.Elections[0].Node, second.Elections[0].Outcome, second.Elections[0].Reason));
        Assert.Equal("leader transfer", second.Elections[0].Cells[7]);
        // Node 1's last reported history stays, marked as such; node 2's rows are not stale.
        Assert.Equal([(3L, true), (2L, true)], second.Elections.Where(e => e.Node == 1).Select(e => (e.Term, e.Stale)));
        Assert.All(second.Elections.Where(e => e.Node == 2), e => Assert.False(e.Stale));
        Assert.Equal(6, second.Elections.Count);
        Assert.Equal((1L, 2L, 5L), (second.Changes[0].From, second.Changes[0].To, second.Changes[0].Term));
        Assert.EndsWith(" node 1 → node 2 (term 5)", second.Changes[0].Text, StringComparison.Ordinal);

        // An election runs: no leader, node 3 a candidate in term 6 (no end time yet).
        server.Answer(Reply(null, 6,
            Unreachable(1),
            Node(2, "follower", 5, 130, 130),
            Node(3, "candidate", 6, 130, 130, Election(6, 20_000, null, "running", 0, 1, 0))));
        var third = await ClusterPageView.WaitAsync(page, v => v.Leader is null && v.Term == 6, ShowTimeout, "no leader during term 6's election");
        output.WriteLine($"during an election:\n{third}");
        Assert.Equal("none", third.LeaderText);
        Assert.All(third.Nodes, n => Assert.False(n.Leader));
        Assert.Equal([null, null, null], third.Nodes.Select(n => n.Lag));
        Assert.Equal((6L, 3L, "running", 0L), (third.Elections[0].Term, third.Elections[0].Node, third.Elections[0].Outcome, third.Elections[0].Winner));
        Assert.EndsWith("…", third.Elections[0].Cells[3], StringComparison.Ordinal);
        Assert.Equal((2L, (long?)null), (third.Changes[0].From!.Value, third.Changes[0].To));
        Assert.Equal(3, third.Changes.Count);

        Assert.Empty(page.Problems);
    }

    [Fact]
    public async Task When_the_gateway_fails_or_hangs_the_page_says_gateway_unreachable_keeps_one_request_at_a_time_and_recovers()
    {
        // Node 3 is reachable but sends no history at all (a silo from before the history existed).
        var healthy = Reply(1, 2, Node(1, "leader", 2, 10, 10), Node(2, "follower", 2, 10, 9), NodeWithoutHistory(3, "follower", 2, 10, 10));
        await using var server = await FakeClusterServer.StartAsync(healthy);
        await using var page = await chromium.Browser.OpenAsync(server.Address);
        var live = await ClusterPageView.WaitAsync(page, v => v is { State: "live", Leader: 1 }, ShowTimeout, "a first answer");
        Assert.Equal([3L], live.NoHistory);
        Assert.Empty(live.Elections);

        server.Fail(503);
        var failing = await ClusterPageView.WaitAsync(page, v => v.State == "unreachable", ShowTimeout, "the gateway's 503");
        output.WriteLine($"on 503:\n{failing}");
        Assert.Equal("gateway unreachable (HTTP 503)", failing.Status);
        // The last answer stays on the page (dimmed) rather than vanishing.
        Assert.Equal(3, failing.Nodes.Count);
        Assert.Equal(1, failing.Leader);

        // No answer at all: every request is abandoned after the page's 3 s timeout, and the next one waits for that.
        server.Hang();
        await ClusterPageView.WaitAsync(page, _ => server.Abandoned >= 3, ShowTimeout, "three abandoned requests");
        var hanging = await ClusterPageView.ReadAsync(page);
        output.WriteLine($"hanging, after {server.Requests} requests ({server.Abandoned} abandoned), at most {server.MaxInFlight} at once:\n{hanging}");
        Assert.Equal("gateway unreachable (no answer within 3 s)", hanging.Status);
        Assert.Equal(1, server.MaxInFlight);

        server.Answer(Reply(2, 3, Node(1, "follower", 3, 12, 12), Node(2, "leader", 3, 12, 12), Node(3, "follower", 3, 12, 11)));
        var recovered = await ClusterPageView.WaitAsync(page, v => v is { State: "live", Leader: 2 }, ShowTimeout, "the page live again with node 2 leading");
        output.WriteLine($"recovered:\n{recovered}");
        Assert.Equal("live", recovered.Status);
        Assert.True(recovered.Updates > live.Updates);
        Assert.Equal(1, server.MaxInFlight);

        // Failed requests are logged by the browser as network errors; nothing else may have gone wrong.
        Assert.DoesNotContain(page.Problems, p => !p.StartsWith("network: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_browser_enforces_the_CSP_a_script_whose_hash_is_not_in_it_does_not_run_and_the_violation_is_seen()
    {
        // The control for every test above: the same page under a policy naming another script's hash.
        var otherHash = $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("another script")))}'";
        await using var server = await FakeClusterServer.StartAsync(
            Reply(1, 1, Node(1, "leader", 1, 1, 1)),
            policy => Regex.Replace(policy, "script-src [^;]+", "script-src " + otherHash));
        await using var page = await chromium.Browser.OpenAsync(server.Address);

        await ClusterPageView.WaitAsync(page, _ => page.Problems.Any(p => p.Contains("Content Security Policy", StringComparison.Ordinal)), ShowTimeout, "a CSP violation");
        var view = await ClusterPageView.ReadAsync(page);
        output.WriteLine($"page errors: {string.Join("\n", page.Problems)}\n{view}");
        Assert.Equal(("connecting", 0, 0), (view.State, view.Updates, server.Requests));
        Assert.Contains(page.Problems, p => p.StartsWith("security: ", StringComparison.Ordinal) && p.Contains("script", StringComparison.Ordinal));
    }
}
