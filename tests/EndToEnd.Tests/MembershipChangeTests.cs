using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using OrleansRaft.EndToEnd.Tests.Chaos;
using OrleansRaft.Testing.Linearizability;
using Xunit.Abstractions;

namespace OrleansRaft.EndToEnd.Tests;

/// <summary>
/// Every founding silo but one replaced under load, as an operator does it: <c>scripts/cluster up</c> with silos 1-3,
/// REST clients writing and reading all along, then <c>scripts/cluster add 4</c>, <c>add 5</c>, <c>remove</c> of the
/// leader among 1 and 2 (leadership moved to 1 first if neither leads: removing a leader exercises its step-down),
/// <c>remove</c> of the other. The whole REST history must be linearizable, every acknowledged write must read back,
/// the group must end as voters 3, 4, 5, and <c>down</c> + <c>up</c> must bring back exactly those silos with every
/// write. The clients' choices come from a seed (ORLEANSRAFT_SEED, printed with the command that replays them);
/// timing is the machine's.
/// </summary>
public sealed partial class MembershipChangeTests : IAsyncLifetime
{
    private const int Founders = 3;
    private const int Added = 2;
    private const int Clients = 4;
    private const int LedgerWriters = 2;

    // Writes acknowledged before each change and after the last one: the load runs throughout.
    private const int AcksPerStep = 150;

    // Elections under load may take leadership away again before the test sees it where it was sent.
    private const int MaxTransfers = 5;

    // As in ChaosTests: a request's HTTP timeout exceeds the gateway's deadline, so a 503 or 504 arrives first.
    private const int GatewayDeadlineMs = 1500;
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan AcksTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan MemberCommandTimeout = TimeSpan.FromMinutes(6); // above the script's MEMBER_TIMEOUT (300 s)
    private static readonly TimeSpan RestartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan LeaderTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan FinalReadDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(60);

    private static readonly string[] Keys = ["k0", "k1", "k2", "k3", "k4", "dir/k5"];

    private readonly ScriptedCluster cluster;
    private readonly int seed;

    public MembershipChangeTests(ITestOutputHelper output)
    {
        cluster = new ScriptedCluster(output, "e2e-members", Founders, AttemptTimeout, spareSilos: Added);
        seed = RunSeed.FromEnvironment();
    }

    private string Replay => RunSeed.Replay(seed, nameof(MembershipChangeTests));

    public Task InitializeAsync()
    {
        cluster.Log($"seed {seed}; {Replay}");
        return cluster.UpAsync("--gateway-args", $"--deadline-ms {GatewayDeadlineMs.ToString(CultureInfo.InvariantCulture)}");
    }

    public Task DisposeAsync() => cluster.DisposeAsync().AsTask();

    [Fact]
    public async Task Silos_added_and_removed_under_load_lose_no_write_and_keep_the_history_linearizable()
    {
        var first = await cluster.WaitForLeaderAsync(excluding: null, LeaderTimeout);
        cluster.Log($"seed {seed}; {first}");

        // 1. Clients (shared keys) and ledger writers (a key each write) for the whole sequence of changes.
        var history = new KvHistory();
        var counters = new ChaosCounters();
        var workload = new ChaosWorkload(cluster.Gateway, history, counters, Keys, () => cluster.Elapsed);
        var ledger = new ConcurrentDictionary<string, string>();
        var started = cluster.Elapsed;
        using (var stop = new CancellationTokenSource())
        {
            var clients = workload.StartClients(Clients, seed, stop.Token);
            clients.AddRange(Enumerable.Range(1, LedgerWriters).Select(i => Task.Run(() => workload.RunLedgerWriterAsync($"ledger{i}", ledger, stop.Token))));
            try
            {
                await AcknowledgedAsync(counters, "before the first change");
                await ChangeAsync(counters, "add", 4);
                await AcknowledgedAsync(counters, "after add 4");
                await ChangeAsync(counters, "add", 5);
                var five = await MembersAsync();
                Assert.True(five.Voters.SequenceEqual([1L, 2, 3, 4, 5]) && five.Learners.Count == 0, $"after add 4 and add 5, GET /v1/cluster/members: {five}");
                foreach (var member in five.Members)
                {
                    Assert.Equal(cluster.Script.SiloAddress(member.Id), member.Address);
                }

                await AcknowledgedAsync(counters, "after add 5");

                // 2. Remove 1 and 2, the leader first (leadership moved to 1 if neither leads). On a loaded machine an
                // election may move leadership between the look and the DELETE, so what counts is the removed silo's
                // own log: it led and stepped down in the same term. If the first removal's log does not show that,
                // leadership is moved to the other founder before it goes too.
                var leader = await LeaderAmongAsync([1, 2]);
                var leaderRemoved = await RemoveAsync(counters, leader);
                var other = leader == 1 ? 2 : 1;
                if (!leaderRemoved)
                {
                    await LeaderAmongAsync([other]);
                }

                leaderRemoved |= await RemoveAsync(counters, other);
                Assert.True(leaderRemoved, $"neither removed silo's log shows it led until its removal and then stepped down\n{Replay}");
                await AcknowledgedAsync(counters, "after the last change");
            }
            finally
            {
                // An operation under way ends within its attempts' timeouts.
                await stop.CancelAsync();
                await Task.WhenAll(clients);
            }
        }

        cluster.Log($"clients ran {(cluster.Elapsed - started).TotalSeconds:0.0} s; {history.Count} operations recorded");

        // 3. Read every key and every acknowledged ledger write (each read is part of the history), then check it all.
        var finals = await Task.WhenAll(Keys.Select(key => workload.ReadUntilAnsweredAsync(key, FinalReadDeadline)));
        var stalled = Keys.Zip(finals).Where(p => p.Second.Outcome != AttemptOutcome.Done).Select(p => $"GET {p.First}: last answer {p.Second.LastAnswer}").ToList();
        var acknowledged = ledger.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var lost = await NotReadBackAsync(acknowledged, async key =>
        {
            var read = await workload.ReadUntilAnsweredAsync(key, FinalReadDeadline);
            return read.Outcome == AttemptOutcome.Done ? read.Value ?? "(absent)" : "no answer: " + read.LastAnswer;
        });

        var operations = history.Operations;
        var checking = Stopwatch.StartNew();
        var result = LinearizabilityChecker.Check(operations, CheckTimeout);
        checking.Stop();
        cluster.Log(
            $"""
            seed {seed}: {operations.Count} operations in the history ({operations.Count(o => o.Return is null)} with unknown outcome) from {workload.ClientIds} client ids over {Keys.Length} shared keys and {acknowledged.Count} acknowledged ledger keys
            {counters.Describe()}
            checker: {result} in {checking.Elapsed.TotalSeconds:0.00} s
            {Replay}
            """);

        Assert.True(result.IsLinearizable, $"the REST history is not linearizable (seed {seed}):\n{result}\n{Replay}");
        Assert.True(stalled.Count == 0, $"no answer within {FinalReadDeadline.TotalSeconds:0} s: {string.Join("; ", stalled)}\n{Replay}");
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged ledger writes do not read back:\n{string.Join('\n', lost.Take(20))}\n{Replay}");
        Assert.True(counters.UnexpectedCount == 0, $"{counters.UnexpectedCount} answers no valid request should get, e.g.:\n{string.Join('\n', counters.UnexpectedSamplesSeen)}\n{Replay}");

        // 4. The group is 3, 4, 5: by the leader's configuration, by each silo's progress, and by scripts/cluster status.
        var final = await MembersAsync();
        Assert.True(final.Voters.SequenceEqual([3L, 4, 5]) && final.Learners.Count == 0 && final.Leader is 3 or 4 or 5, $"at the end, GET /v1/cluster/members: {final}");
        foreach (var node in final.Voters)
        {
            await cluster.WaitCaughtUpAsync(node, CatchUpTimeout);
        }

        Assert.Equal<long>([3, 4, 5], await cluster.RunningSilosAsync());

        // 5. down + up: the script must start 3, 4, 5 (not 1, 2) on their stored state, and every write is still there.
        await cluster.Script.RunCheckedAsync(RestartTimeout, "down");
        var up = await cluster.Script.RunCheckedAsync(RestartTimeout, "up");
        cluster.Log($"scripts/cluster up after down printed:\n{up.Stdout.TrimEnd()}");
        Assert.Equal<long>([3, 4, 5], await cluster.RunningSilosAsync());
        var restarted = await cluster.WaitForLeaderAsync(excluding: null, LeaderTimeout);
        Assert.True(restarted.Leader is 3 or 4 or 5, $"after down and up: {restarted}");
        var afterRestart = await MembersAsync();
        Assert.True(afterRestart.Voters.SequenceEqual([3L, 4, 5]), $"after down and up, GET /v1/cluster/members: {afterRestart}");
        var lostAfterRestart = await NotReadBackAsync(acknowledged, async key =>
        {
            var read = await cluster.Gateway.GetAsync(key, FinalReadDeadline);
            return read.Status == HttpStatusCode.OK ? read.Text : $"{(int)read.Status} {read.Text}";
        });
        Assert.True(lostAfterRestart.Count == 0, $"after down and up, {lostAfterRestart.Count} of {acknowledged.Count} ledger writes do not read back:\n{string.Join('\n', lostAfterRestart.Take(20))}");
        cluster.Log($"after down and up: silos 3, 4, 5 run, {afterRestart}; all {acknowledged.Count} ledger writes read back");
        cluster.Passed = true;
    }

    /// <summary>Each acknowledged write whose key does not read back its value (8 reads at a time), with what was read instead.</summary>
    private static async Task<IReadOnlyList<string>> NotReadBackAsync(IReadOnlyList<KeyValuePair<string, string>> writes, Func<string, Task<string>> read)
    {
        var lost = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(writes, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (write, _) =>
        {
            var value = await read(write.Key);
            if (value != write.Value)
            {
                lost.Enqueue($"{write.Key}: acknowledged \"{write.Value}\", read {value}");
            }
        });
        return [.. lost];
    }

    /// <summary><c>scripts/cluster add|remove I</c>; logs how long it took and how many writes were acknowledged meanwhile.</summary>
    private async Task ChangeAsync(ChaosCounters counters, string command, long node)
    {
        var acks = counters.AcknowledgedWrites;
        var clock = Stopwatch.StartNew();
        var result = await cluster.Script.RunCheckedAsync(MemberCommandTimeout, command, node.ToString(CultureInfo.InvariantCulture));
        cluster.Log($"{command} {node}: {clock.Elapsed.TotalSeconds:0.0} s, {counters.AcknowledgedWrites - acks} writes acknowledged meanwhile; {result.Stdout.Trim()}");
        var members = await MembersAsync();
        var role = members.Members.FirstOrDefault(m => m.Id == node)?.Role;
        Assert.True(command == "add" ? role == "voter" : role is null, $"after scripts/cluster {command} {node}, GET /v1/cluster/members: {members}");
        cluster.Log($"  members: {members}");
    }

    /// <summary>Waits until <see cref="AcksPerStep"/> more writes were acknowledged: the cluster keeps serving.</summary>
    private async Task AcknowledgedAsync(ChaosCounters counters, string when)
    {
        var target = counters.AcknowledgedWrites + AcksPerStep;
        var clock = Stopwatch.StartNew();
        var reached = await ScriptedCluster.PollAsync(() => Task.FromResult(counters.AcknowledgedWrites >= target ? "reached" : null), AcksTimeout);
        Assert.True(reached is not null, $"only {counters.AcknowledgedWrites - target + AcksPerStep} of {AcksPerStep} writes acknowledged within {AcksTimeout.TotalSeconds:0} s {when}\n{counters.Describe()}\n{Replay}");
        cluster.Log($"{AcksPerStep} writes acknowledged {when} in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>
    /// <c>scripts/cluster remove I</c>, then a leader other than I must be elected and the clients must go on. True when
    /// I's log shows it was leading when its removal committed (<see cref="SteppedDownInLog"/>).
    /// </summary>
    private async Task<bool> RemoveAsync(ChaosCounters counters, long node)
    {
        await ChangeAsync(counters, "remove", node);
        var next = await cluster.WaitForLeaderAsync(excluding: node, LeaderTimeout);
        var steppedDown = SteppedDownInLog(node);
        cluster.Log($"after remove {node}: {next}; {steppedDown ?? $"silo {node}'s log does not show it leading until its removal"}");
        await AcknowledgedAsync(counters, $"after remove {node}");
        return steppedDown is not null;
    }

    /// <summary>
    /// The last two role changes silo <paramref name="node"/> logged (RaftReplicaGrain: "node N group G term T: Role,
    /// leader L"), when they are "Leader" then "Follower, leader 0" in one term: it led, and stepped down without
    /// seeing a higher term, as a leader that removed itself does (thesis §4.2.2); null otherwise.
    /// </summary>
    private string? SteppedDownInLog(long node)
    {
        var changes = File.ReadLines(Path.Combine(cluster.Script.Directory, $"node-{node.ToString(CultureInfo.InvariantCulture)}.log"))
            .Select(line => RoleChange().Match(line))
            .Where(match => match.Success)
            .TakeLast(2)
            .ToList();
        return changes is [var led, var left]
            && led.Groups["role"].Value == "Leader" && left.Groups["role"].Value == "Follower" && left.Groups["leader"].Value == "0"
            && led.Groups["term"].Value == left.Groups["term"].Value
                ? $"silo {node} led in term {led.Groups["term"].Value} until its removal, then stepped down"
                : null;
    }

    /// <summary>The current leader once it is one of <paramref name="candidates"/>; leadership is moved to the first of them until it is.</summary>
    private async Task<long> LeaderAmongAsync(long[] candidates)
    {
        for (var attempt = 1; ; attempt++)
        {
            var members = await MembersAsync();
            if (members.Leader is { } leader && candidates.Contains(leader))
            {
                cluster.Log($"leader {leader} is one of {string.Join(", ", candidates)}");
                return leader;
            }

            Assert.True(attempt <= MaxTransfers, $"{MaxTransfers} leadership transfers to {candidates[0]}, yet {members}\n{Replay}");
            var to = candidates[0];
            var moved = await cluster.Gateway.SendJsonAsync(HttpMethod.Post, "/v1/cluster/leader", $$"""{"id":{{to}}}""");
            cluster.Log($"POST /v1/cluster/leader {{\"id\":{to}}} (leader {members.Leader}): {moved}");

            // 503 (no leader) and 504 (no outcome in time) may happen under load; anything else is a refusal it should not get.
            Assert.True(moved.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout, $"POST /v1/cluster/leader {{\"id\":{to}}}: {moved}");
        }
    }

    private Task<MembersView> MembersAsync() => cluster.MembersAsync(LeaderTimeout);

    [GeneratedRegex(@"node \d+ group \d+ term (?<term>\d+): (?<role>\w+), leader (?<leader>\d+)")]
    private static partial Regex RoleChange();
}
