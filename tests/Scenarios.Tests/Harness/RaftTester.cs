using System.Runtime.CompilerServices;
using System.Text;
using OrleansRaft.Grains;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Raft;
using OrleansRaft.Raft.Messages;
using OrleansRaft.Testing.Cluster;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrleansRaft.Scenarios.Tests.Harness;

/// <summary>
/// MIT 6.5840's Raft tester (<c>checkOneLeader</c>, <c>checkTerms</c>, <c>checkNoLeader</c>, <c>nCommitted</c>,
/// <c>one</c>, <c>wait</c>) over a <see cref="TestCluster"/> in virtual time. A command is a Put of a unique value
/// to the key <see cref="Key"/>; 6.5840's non-blocking <c>Start</c> is <see cref="StartAsync(long, string)"/>: it
/// submits to a leader and returns the index without waiting for the commit. Every failure names the seed.
/// </summary>
public sealed class RaftTester : IAsyncDisposable
{
    public const string Key = "raft";

    /// <summary>6.5840's RaftElectionTimeout: the tester's generous bound for one election.</summary>
    public static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(1);

    private readonly ITestOutputHelper? output;
    private readonly DateTimeOffset started;
    private int commandsMade;

    private RaftTester(TestCluster cluster, int seed, string name, ITestOutputHelper? output)
    {
        Cluster = cluster;
        Seed = seed;
        Name = name;
        Random = new Random(seed);
        this.output = output;
        started = cluster.Time.GetUtcNow();
    }

    public TestCluster Cluster { get; }

    public int Seed { get; }

    public string Name { get; }

    /// <summary>The test's own choices (which server to fail, how long to sleep), seeded like the cluster.</summary>
    public Random Random { get; }

    public int Servers => Cluster.NodeIds.Count;

    public IReadOnlyList<long> Nodes => Cluster.NodeIds;

    public TestNetwork Network => Cluster.Network;

    /// <summary>The seed and the command that replays this test: part of every failure message.</summary>
    public string Describe => Seeds.Describe(Seed, Name);

    /// <summary>A command no other in this test equals, so a value found at an index can only be the one put there.</summary>
    public string NewCommand() => $"cmd-{++commandsMade}-{Random.Next(10_000)}";

    public static async Task<RaftTester> StartAsync(
        int servers,
        int seed,
        bool reliable = true,
        TestClusterOptions? options = null,
        ITestOutputHelper? output = null,
        [CallerMemberName] string name = "")
    {
        var cluster = await TestCluster.StartAsync((options ?? new TestClusterOptions()) with { Size = servers, Seed = seed });
        if (!reliable)
        {
            cluster.Network.Unreliable();
        }

        return new RaftTester(cluster, seed, name, output);
    }

    /// <summary>6.5840's <c>(i + offset) % servers</c> over node ids 1..n.</summary>
    public long Peer(long node, int offset) => ((node - 1 + offset) % Servers + Servers) % Servers + 1;

    /// <summary>Running and not disconnected: 6.5840's "connected" servers.</summary>
    public bool IsConnected(long node) => Cluster.IsRunning(node) && Network.IsConnected(node);

    public void Disconnect(long node) => Network.Disconnect(node);

    public void Connect(long node) => Network.Connect(node);

    /// <summary>6.5840's ShutdownServer: memory lost, the store kept, off the network.</summary>
    public Task CrashAsync(long node) => Cluster.CrashAsync(node);

    /// <summary>6.5840's restart: a fresh replica over the node's store, connected again.</summary>
    public Task RestartAsync(long node) => Cluster.RestartAsync(node);

    public void SetReliable(bool reliable)
    {
        if (reliable)
        {
            Network.Reliable();
        }
        else
        {
            Network.Unreliable();
        }
    }

    /// <summary>An unreliable network whose replies may also be held back for seconds (labrpc's long reordering).</summary>
    public void SetLongReordering() => Network.Unreliable(new UnreliableOptions { LongReordering = true });

    /// <summary>6.5840's <c>time.Sleep</c>, in virtual time.</summary>
    public Task SleepAsync(TimeSpan duration) => Cluster.AdvanceAsync(duration);

    public Task SleepAsync(int milliseconds) => SleepAsync(TimeSpan.FromMilliseconds(milliseconds));

    /// <summary>RPCs sent so far, counting a request with its answer as one (labrpc's RPC count).</summary>
    public long RpcCount() =>
        Network.Sent<VoteRequest>() + Network.Sent<AppendRequest>() + Network.Sent<HeartbeatRequest>() + Network.Sent<TimeoutNow>();

    public async Task<ReplicaStatus> StatusAsync(long node) => (await StatusesAsync()).Single(s => s.NodeId == node);

    /// <summary>The status of every running replica, asked at one instant, without moving virtual time.</summary>
    public Task<IReadOnlyList<ReplicaStatus>> StatusesAsync() => Cluster.StatusesAsync();

    /// <summary>
    /// Reads <paramref name="keys"/> from <paramref name="node"/>'s own state (stale reads, no leader involved), all
    /// at once: one settle of the cluster rather than one per key. Null where a key is absent.
    /// </summary>
    public async Task<IReadOnlyList<string?>> ReadLocallyAsync(long node, IReadOnlyList<string> keys)
    {
        // A stale read is answered in the replica's turn: once the cluster settled, the answers are all there, so
        // waiting for them moves no virtual time.
        var replica = Cluster.Replica(node);
        var asks = keys.Select(key => replica.Get(key, ReadConsistency.Stale, CancellationToken.None)).ToList();
        await Cluster.SettleAsync();
        var replies = await Task.WhenAll(asks);
        return [.. replies.Select((reply, i) => reply.Status switch
        {
            KvStatus.Ok => Encoding.UTF8.GetString(reply.Value!),
            KvStatus.NotFound => null,
            _ => throw Fail($"node {node} could not read {keys[i]} locally: {reply.Status} {reply.Detail}"),
        })];
    }

    /// <summary>
    /// Advances virtual time tick by tick for <paramref name="duration"/>; after each tick hands the status of every
    /// running replica to <paramref name="onTick"/> (which may check properties, inject faults, write).
    /// </summary>
    public async Task TicksAsync(TimeSpan duration, Func<IReadOnlyList<ReplicaStatus>, Task> onTick)
    {
        var end = Now + duration;
        while (Now < end)
        {
            await SleepAsync(Cluster.Options.TickInterval);
            await onTick(await StatusesAsync());
        }
    }

    /// <summary>
    /// Advances time until every replica runs, follows one leader, and has applied all that leader holds;
    /// fails after <paramref name="limit"/>. Returns the statuses then.
    /// </summary>
    public async Task<IReadOnlyList<ReplicaStatus>> ConvergeAsync(TimeSpan limit)
    {
        var deadline = Now + limit;
        while (true)
        {
            var statuses = await StatusesAsync();
            var leader = statuses.Where(s => s.Role == "leader").MaxBy(s => s.Term);
            if (leader is not null && statuses.Count == Servers && leader.CommitIndex == leader.LastIndex &&
                statuses.All(s => s.Leader == leader.NodeId && s.Term == leader.Term && s.AppliedIndex == leader.CommitIndex))
            {
                return statuses;
            }

            if (Now >= deadline)
            {
                throw Fail($"no convergence within {limit.TotalSeconds} s: " +
                    string.Join("; ", statuses.Select(s => $"{s.NodeId} {s.Role} term {s.Term} leader {s.Leader} commit {s.CommitIndex} applied {s.AppliedIndex} last {s.LastIndex}")));
            }

            await SleepAsync(Cluster.Options.TickInterval);
        }
    }

    /// <summary>Waits for the connected servers to agree on one leader; fails if a term has two.</summary>
    public async Task<long> CheckOneLeaderAsync()
    {
        for (var iteration = 0; iteration < 10; iteration++)
        {
            await SleepAsync(450 + Random.Next(100));
            var leaders = new SortedDictionary<long, List<long>>();
            foreach (var status in await StatusesAsync())
            {
                if (Network.IsConnected(status.NodeId) && status.Role == "leader")
                {
                    if (!leaders.TryGetValue(status.Term, out var inTerm))
                    {
                        leaders[status.Term] = inTerm = [];
                    }

                    inTerm.Add(status.NodeId);
                }
            }

            foreach (var (term, inTerm) in leaders)
            {
                if (inTerm.Count > 1)
                {
                    throw Fail($"term {term} has {inTerm.Count} (>1) leaders: {string.Join(", ", inTerm)}");
                }
            }

            if (leaders.Count > 0)
            {
                return leaders.Last().Value[0];
            }
        }

        throw Fail("expected one leader, got none");
    }

    /// <summary>The term the connected servers agree on; fails if they disagree.</summary>
    public async Task<long> CheckTermsAsync()
    {
        long term = -1;
        foreach (var status in (await StatusesAsync()).Where(s => Network.IsConnected(s.NodeId)))
        {
            if (term == -1)
            {
                term = status.Term;
            }
            else if (term != status.Term)
            {
                throw Fail($"servers disagree on term: {term} and {status.Term} (node {status.NodeId})");
            }
        }

        return term;
    }

    public async Task CheckNoLeaderAsync()
    {
        foreach (var status in await StatusesAsync())
        {
            if (Network.IsConnected(status.NodeId) && status.Role == "leader")
            {
                throw Fail($"expected no leader among connected servers, but {status.NodeId} claims to be leader");
            }
        }
    }

    /// <summary>
    /// How many servers applied the entry at <paramref name="index"/>, and its command (null for a leader's no-op or
    /// a configuration); fails if two servers applied different entries there. When the replicas compact their logs,
    /// a server whose snapshot covers the index counts too (<see cref="RaftSnapshotInvariants"/> checks the snapshot).
    /// </summary>
    public async Task<(int Count, string? Command)> NCommittedAsync(long index)
    {
        try
        {
            var (count, entry) = await Cluster.AppliedAtAsync(index, countSnapshots: Cluster.Options.SnapshotEntries > 0);
            return (count, entry is { } e ? CommandOf(e) : null);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("applied different entries", StringComparison.Ordinal))
        {
            throw Fail($"committed values do not match: {e.Message}");
        }
    }

    public async Task CheckNoAgreementAsync(long index)
    {
        var (count, _) = await NCommittedAsync(index);
        if (count > 0)
        {
            throw Fail($"{count} committed index {index} but no majority");
        }
    }

    /// <summary>
    /// 6.5840's <c>Start</c>: if <paramref name="server"/> is leader it takes <paramref name="command"/> into its
    /// log and this returns the index, without waiting for the commit (the write stays in flight in
    /// <see cref="RaftStart.Reply"/>). No virtual time passes and no message is delivered, so Starts in a row are
    /// back to back, as in the lab.
    /// </summary>
    public async Task<RaftStart> StartAsync(long server, string command) => (await StartAllAsync(server, [command]))[0];

    /// <summary>
    /// Concurrent <c>Start</c>s: every command is handed to <paramref name="server"/> before it runs again, as
    /// writes that arrive together (the replica may batch them into one proposal).
    /// </summary>
    public async Task<IReadOnlyList<RaftStart>> StartAllAsync(long server, IReadOnlyList<string> commands)
    {
        if (!Cluster.IsRunning(server))
        {
            return [.. commands.Select(_ => RaftStart.Refused(0))];
        }

        // Asked without settling the cluster: nothing reaches the replica between this status and the writes but
        // the writes, because messages move only when the cluster settles and ticks only when time advances. Its
        // turns run only when the cluster or a flush runs them, and its answers reach the writes in the cluster's
        // client context, so a write's task completes at the same point in every run of a seed.
        var replica = Cluster.Replica(server);
        var asking = replica.Status(CancellationToken.None);
        await replica.FlushAsync();
        var status = await asking;
        if (status.Role != "leader")
        {
            return [.. commands.Select(_ => RaftStart.Refused(status.Term))];
        }

        var replies = commands.Select(command => Cluster.Clients.Run(() => replica.Put(Key, Encoding.UTF8.GetBytes(command), null, CancellationToken.None))).ToList();
        await replica.FlushAsync();

        // The leader persisted the proposals before the flush completed: find them at the end of its log.
        var log = Cluster.RecordedLog(server);
        var wanted = commands.ToHashSet();
        var found = new Dictionary<string, long>();
        for (var index = log.LastIndex; index > 0 && found.Count < wanted.Count && log.Entry(index) is { } entry && entry.Term >= status.Term; index--)
        {
            if (entry.Term == status.Term && CommandOf(entry) is { } command && wanted.Contains(command))
            {
                found.TryAdd(command, index);
            }
        }

        return [.. commands.Select((command, i) => found.TryGetValue(command, out var index)
            ? new RaftStart(true, index, status.Term, replies[i])
            : RaftStart.Refused(status.Term) with { Reply = replies[i] })];
    }

    /// <summary>
    /// 6.5840's <c>one</c>: submits <paramref name="command"/> to whichever connected server is leader and waits
    /// until <paramref name="expectedServers"/> applied it; with <paramref name="retry"/> it tries again after a
    /// failed attempt, for 10 s in all. Returns the index.
    /// </summary>
    public async Task<long> OneAsync(string command, int expectedServers, bool retry)
    {
        var start = Now;
        var starts = 0;
        while (Now - start < TimeSpan.FromSeconds(10))
        {
            long index = -1;
            for (var i = 0; i < Servers; i++)
            {
                starts = (starts + 1) % Servers;
                var server = Nodes[starts];
                if (IsConnected(server) && await StartAsync(server, command) is { IsLeader: true } started)
                {
                    index = started.Index;
                    break;
                }
            }

            if (index != -1)
            {
                // Somebody claimed to be the leader and submitted the command: wait a while for agreement.
                var submitted = Now;
                while (Now - submitted < TimeSpan.FromSeconds(2))
                {
                    var (count, applied) = await NCommittedAsync(index);
                    if (count > 0 && count >= expectedServers && applied == command)
                    {
                        return index;
                    }

                    await SleepAsync(20);
                }

                if (!retry)
                {
                    throw Fail($"one({command}) failed to reach agreement at index {index}");
                }
            }
            else
            {
                await SleepAsync(50);
            }
        }

        throw Fail($"one({command}) failed to reach agreement");
    }

    /// <summary>
    /// <see cref="OneAsync"/> for several clients at once (6.5840 runs <c>one</c> in goroutines): every command
    /// is submitted to the leader together, each waits its own 2 s for agreement and is submitted again after a
    /// failed attempt (with <paramref name="retry"/>), for 10 s in all. Returns the indices in order.
    /// </summary>
    public async Task<IReadOnlyList<long>> OneAllAsync(IReadOnlyList<string> commands, int expectedServers, bool retry)
    {
        var start = Now;
        var index = commands.Select(_ => -1L).ToArray();
        var submittedAt = new DateTimeOffset[commands.Count];
        var done = new bool[commands.Count];
        var starts = 0;
        while (done.Contains(false))
        {
            if (Now - start >= TimeSpan.FromSeconds(10))
            {
                throw Fail($"one({commands[Array.IndexOf(done, false)]}) failed to reach agreement");
            }

            var unsubmitted = Enumerable.Range(0, commands.Count).Where(i => !done[i] && index[i] == -1).ToList();
            for (var i = 0; i < Servers && unsubmitted.Count > 0; i++)
            {
                starts = (starts + 1) % Servers;
                var server = Nodes[starts];
                if (!IsConnected(server))
                {
                    continue;
                }

                var started = await StartAllAsync(server, [.. unsubmitted.Select(c => commands[c])]);
                if (started[0].IsLeader)
                {
                    for (var k = 0; k < unsubmitted.Count; k++)
                    {
                        index[unsubmitted[k]] = started[k].IsLeader ? started[k].Index : -1;
                        submittedAt[unsubmitted[k]] = Now;
                    }

                    break;
                }
            }

            for (var c = 0; c < commands.Count; c++)
            {
                if (done[c] || index[c] == -1)
                {
                    continue;
                }

                var (count, applied) = await NCommittedAsync(index[c]);
                if (count > 0 && count >= expectedServers && applied == commands[c])
                {
                    done[c] = true;
                }
                else if (Now - submittedAt[c] >= TimeSpan.FromSeconds(2))
                {
                    if (!retry)
                    {
                        throw Fail($"one({commands[c]}) failed to reach agreement at index {index[c]}");
                    }

                    index[c] = -1;
                }
            }

            if (done.Contains(false))
            {
                await SleepAsync(index.Any(i => i != -1) ? 20 : 50);
            }
        }

        return index;
    }

    /// <summary>
    /// Submits <paramref name="command"/> to the leader and ticks until that leader applied it, which is when it
    /// acknowledges the write; submits again if leadership moves first. Returns the virtual time that took and the
    /// index. Measured on the replicas' state after each tick rather than on the write's task, whose completion
    /// reaches the test through the thread pool and may lag on a busy machine.
    /// </summary>
    public async Task<(TimeSpan Latency, long Index)> CommitAsync(string command, TimeSpan limit)
    {
        var started = Now;
        while (Now - started < limit)
        {
            var leader = (await StatusesAsync()).Where(s => s.Role == "leader").MaxBy(s => s.Term);
            var start = leader is null ? null : await StartAsync(leader.NodeId, command);
            while (start is { IsLeader: true } && Now - started < limit)
            {
                var now = (await StatusesAsync()).FirstOrDefault(s => s.NodeId == leader!.NodeId);
                if (now is null || now.Role != "leader" || now.Term != start.Term)
                {
                    break; // it lost leadership: submit again to whoever leads now
                }

                if (now.AppliedIndex >= start.Index)
                {
                    if (Cluster.RecordedLog(now.NodeId).Entry(start.Index) is { } entry && CommandOf(entry) == command)
                    {
                        return (Now - started, start.Index);
                    }

                    break;
                }

                await SleepAsync(Cluster.Options.TickInterval);
            }

            await SleepAsync(Cluster.Options.TickInterval);
        }

        throw Fail($"{command} was not committed within {limit.TotalSeconds} s");
    }

    /// <summary>
    /// 6.5840's <c>wait</c>: waits, backing off, for <paramref name="servers"/> to apply <paramref name="index"/>.
    /// Gives up with TermChanged when some server moved past <paramref name="startTerm"/> (if not -1), since the
    /// command may then never commit; fails if too few applied it in time.
    /// </summary>
    public async Task<(bool TermChanged, string? Command)> WaitAsync(long index, int servers, long startTerm)
    {
        var backoff = TimeSpan.FromMilliseconds(10);
        for (var iteration = 0; iteration < 30; iteration++)
        {
            var (applied, _) = await NCommittedAsync(index);
            if (applied >= servers)
            {
                break;
            }

            await SleepAsync(backoff);
            if (backoff < TimeSpan.FromSeconds(1))
            {
                backoff *= 2;
            }

            if (startTerm > -1 && (await StatusesAsync()).Any(s => s.Term > startTerm))
            {
                return (true, null);
            }
        }

        var (count, command) = await NCommittedAsync(index);
        if (count < servers)
        {
            throw Fail($"only {count} decided for index {index}; wanted {servers}");
        }

        return (false, command);
    }

    /// <summary>The command a log entry carries: the value of its write, or null for a no-op or configuration.</summary>
    public static string? CommandOf(LogEntry entry) =>
        entry.Kind == EntryKind.Command ? Encoding.UTF8.GetString(KvCommand.Decode(entry.Data).Value.Span) : null;

    /// <summary>A test failure that names the seed; throw it.</summary>
    public XunitException Fail(string message) => new($"{message} ({Describe})");

    /// <summary>What the lab prints after a test: time taken, servers, RPCs and bytes sent, and how far the log got.</summary>
    public async Task<string> SummaryAsync()
    {
        var statuses = await StatusesAsync();
        return $"{Name}: {(Now - started).TotalSeconds:F1} s virtual, {Servers} servers, {RpcCount()} RPCs, {Network.BytesSent} bytes, " +
            $"{Network.MessagesDropped} messages lost, term {statuses.Max(s => (long?)s.Term) ?? 0}, " +
            $"applied up to {statuses.Max(s => (long?)s.AppliedIndex) ?? 0}, {commandsMade} commands made ({Describe})";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            output?.WriteLine(await SummaryAsync());
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // A cluster that cannot settle any more has no summary; the test's own failure says why.
            output?.WriteLine($"{Name}: no summary ({e.Message}) ({Describe})");
        }

        await Cluster.DisposeAsync();
    }

    private DateTimeOffset Now => Cluster.Time.GetUtcNow();
}
