using System.Diagnostics;
using System.Globalization;
using OrleansRaft.Testing.Browser;
using OrleansRaft.Testing.Processes;
using Xunit.Abstractions;

namespace OrleansRaft.EndToEnd.Tests;

/// <summary>
/// The gateway's cluster page in headless Chromium against a real cluster (<c>scripts/cluster up</c> in its own
/// folder on free ports): the page shows the leader; the leader is SIGKILLed through <c>scripts/cluster kill</c>; the
/// same page, still polling by itself, comes to show another leader, the killed silo unreachable, and the new leader's
/// won election for its term; the killed silo restarts and the page shows it back. <c>scripts/cluster down</c> runs
/// whatever happens, and no process of the cluster may outlive it.
/// </summary>
public sealed class ClusterPageEndToEndTests : IAsyncLifetime
{
    private const int Nodes = 3;

    private static readonly TimeSpan BrowserTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan UpTimeout = TimeSpan.FromMinutes(10); // a first run builds, may install PostgreSQL
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan DownTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ShowTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    private readonly ITestOutputHelper output;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly string run = Guid.NewGuid().ToString("N")[..8];
    private readonly ClusterScript script;
    private HeadlessChromium? browser;
    private bool passed;
    private bool cleanedUp;

    public ClusterPageEndToEndTests(ITestOutputHelper output)
    {
        this.output = output;
        var root = ProcessLogFolder.RepositoryRoot();
        var firstPort = FreeTcpPorts.PickBlock(Nodes + 1);
        script = new ClusterScript(root, Path.Combine(root, ".data", $"e2e-page-{run}"), gatewayPort: firstPort + Nodes, siloBasePort: firstPort, Log);
    }

    public async Task InitializeAsync()
    {
        // The browser first: without it the test fails at once, saying how to install it, before any cluster starts.
        browser = await HeadlessChromium.StartAsync(BrowserTimeout);
        Log($"chromium pid {browser.ProcessId}; cluster folder {script.Directory}, gateway {script.Gateway}");
        try
        {
            var up = await script.RunCheckedAsync(UpTimeout, "up", "--nodes", Nodes.ToString(CultureInfo.InvariantCulture));
            Log($"scripts/cluster up printed:\n{up.Stdout.TrimEnd()}");
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task The_page_shows_the_new_leader_and_its_won_election_after_the_leader_is_killed_then_the_silo_back()
    {
        await using var page = await browser!.OpenAsync(script.Gateway);
        var before = await ClusterPageView.WaitAsync(
            page,
            v => v is { State: "live", Leader: { } leader } && v.Nodes.Count == Nodes && v.Nodes.All(n => n.Reachable) && v.Node(leader).Leader,
            ShowTimeout,
            "a leader with every silo reachable");
        var oldLeader = before.Leader!.Value;
        Log($"the page before the kill:\n{before}");

        var kill = await script.RunCheckedAsync(CommandTimeout, "kill", oldLeader.ToString(CultureInfo.InvariantCulture));
        Log(kill.Stdout.Trim());

        // Same page, no reload: its own polling must bring the new leader and the election that made it.
        var after = await ClusterPageView.WaitAsync(
            page,
            v => v is { State: "live", Leader: { } leader, Term: { } term }
                && leader != oldLeader
                && !v.Node(oldLeader).Reachable
                && v.Elections.Any(e => e.Term == term && e.Node == leader && e.Outcome == "won"),
            ShowTimeout,
            $"a leader other than node {oldLeader} and its won election");
        var newLeader = after.Leader!.Value;
        Log($"the page after killing node {oldLeader}:\n{after}");
        Assert.True(after.Term > before.Term, $"the new leader's term {after.Term} is not above {before.Term}");
        Assert.True(after.Node(newLeader).Leader);
        Assert.Equal("unreachable", after.Node(oldLeader).Cells[7]);
        var won = after.Elections.First(e => e.Term == after.Term && e.Node == newLeader && e.Outcome == "won");
        Assert.Equal(newLeader, won.Winner);
        Assert.False(won.PreVote);
        Assert.Contains(after.Changes, c => c.To == newLeader && c.Term == after.Term);
        Assert.Contains(after.Changes, c => c.To == oldLeader);

        var restart = await script.RunCheckedAsync(CommandTimeout, "restart", oldLeader.ToString(CultureInfo.InvariantCulture));
        Log(restart.Stdout.Trim());
        var back = await ClusterPageView.WaitAsync(
            page,
            v => v is { State: "live", Leader: { } } && v.Nodes.All(n => n.Reachable) && v.Node(oldLeader).Role != "unknown",
            ShowTimeout,
            $"node {oldLeader} reachable again");
        Log($"the page after restarting node {oldLeader}:\n{back}");
        Assert.Empty(back.StaleHistory);

        var shot = Path.Combine(ProcessLogFolder.RepositoryRoot(), ".data", $"cluster-page-{run}.png");
        await page.ScreenshotAsync(shot);
        Log($"screenshot of the page: {shot}");

        // The gateway answered every poll; an abandoned one (a slow machine) is a network entry, nothing else may appear.
        Assert.DoesNotContain(page.Problems, p => !p.StartsWith("network: ", StringComparison.Ordinal));
        passed = true;
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
            browser = null;
        }

        if (cleanedUp || !Directory.Exists(script.Directory))
        {
            return;
        }

        cleanedUp = true;

        var recorded = ClusterProcesses.Recorded(script.Directory);
        if (!passed)
        {
            foreach (var file in Directory.GetFiles(script.Directory, "*.log").Order())
            {
                Log($"---- {file} (last 30 lines)\n{string.Join('\n', File.ReadLines(file).TakeLast(30))}");
            }
        }

        var down = await script.RunAsync(DownTimeout, "down");
        Log($"scripts/cluster down: {down.Stdout.Trim()} {down.Stderr.Trim()}");
        var left = recorded.Where(ClusterProcesses.IsAlive).Union(ClusterProcesses.Marked(script.Directory)).ToList();
        for (var waited = Stopwatch.StartNew(); left.Count > 0 && waited.Elapsed < ExitTimeout; left = [.. left.Where(ClusterProcesses.IsAlive)])
        {
            await Task.Delay(100);
        }

        if (down.Succeeded && left.Count == 0 && passed)
        {
            await script.RunCheckedAsync(CommandTimeout, "clean");
        }
        else
        {
            Log($"kept {script.Directory} for its logs");
        }

        Assert.True(down.Succeeded, down.ToString());
        Assert.True(left.Count == 0, $"processes left after scripts/cluster down: {string.Join("; ", left.Select(ClusterProcesses.Describe))}");
    }

    private void Log(string line)
    {
        try
        {
            output.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.00}s] {line}");
        }
        catch (InvalidOperationException)
        {
            // No test is running any more (output after the end); nothing to report to.
        }
    }
}
