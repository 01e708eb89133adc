using Microsoft.Extensions.Logging.Abstractions;
using OrleansRaft.Grains;
using OrleansRaft.Grains.Storage;
using OrleansRaft.Raft;
using OrleansRaft.Testing.Time;

namespace OrleansRaft.Testing.Cluster;

/// <summary>
/// N silos' replica grains in one process, as Orleans' in-process test cluster: the same
/// <see cref="RaftReplicaGrain"/> as the silo process, over a <see cref="TestNetwork"/>, on a
/// <see cref="ManualTimeProvider"/> that only the test moves. Replicas take their turns one at a time, on the test's
/// thread, only while the cluster settles (<see cref="ReplicaOptions.HostRunsTurns"/>), and client code runs in
/// <see cref="Clients"/>; with the network's seeded faults, the same test and seed do the same thing every run.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private const int MaxSettleRounds = 100_000;

    private readonly Dictionary<long, RaftReplicaGrain?> replicas = [];
    private readonly Dictionary<long, RecordingLogStore> stores = [];
    private readonly List<long> nodeIds;

    // Nodes added at runtime: they start with no configuration and learn theirs from the leader.
    private readonly HashSet<long> joined = [];

    private TestCluster(TestClusterOptions options)
    {
        Options = options;
        nodeIds = [.. Enumerable.Range(1, options.Size).Select(i => (long)i)];
        Network = new TestNetwork(Time, options.Seed);
    }

    public TestClusterOptions Options { get; }

    /// <summary>The nodes of the cluster: the founding ones, then those added and not removed since.</summary>
    public IReadOnlyList<long> NodeIds => nodeIds;

    public ManualTimeProvider Time { get; } = new();

    public TestNetwork Network { get; }

    /// <summary>Where client code runs: <see cref="CallAsync{T}"/> runs in it, and client loops should (<see cref="TestClientContext.Run{T}"/>).</summary>
    public TestClientContext Clients { get; } = new();

    /// <summary>Creates the store for a node; the default keeps the log in memory.</summary>
    public Func<long, ILogStore> StoreFactory { get; init; } = _ => new InMemoryLogStore();

    public static async Task<TestCluster> StartAsync(TestClusterOptions? options = null, Func<long, ILogStore>? storeFactory = null)
    {
        var cluster = new TestCluster(options ?? new TestClusterOptions()) { StoreFactory = storeFactory ?? (_ => new InMemoryLogStore()) };
        foreach (var id in cluster.NodeIds)
        {
            cluster.stores[id] = new RecordingLogStore(cluster.StoreFactory(id));
            await cluster.StartReplicaAsync(id);
        }

        await cluster.SettleAsync();
        return cluster;
    }

    /// <summary>The running replica on <paramref name="node"/>; throws if it is crashed.</summary>
    public RaftReplicaGrain Replica(long node) => replicas[node] ?? throw new InvalidOperationException($"node {node} is crashed");

    public bool IsRunning(long node) => replicas[node] is not null;

    public ILogStore Store(long node) => stores[node].Inner;

    /// <summary>What <paramref name="node"/> has stored (log, snapshots, installs), readable while it runs and after it crashed.</summary>
    public RecordingLogStore RecordedLog(long node) => stores[node];

    /// <summary>
    /// How many replicas have applied an entry at <paramref name="index"/>, and its data; fails if two replicas
    /// applied different entries there (state machine safety, as 6.5840's nCommitted).
    /// </summary>
    public Task<(int Count, LogEntry? Entry)> AppliedAtAsync(long index) => AppliedAtAsync(index, countSnapshots: false);

    /// <summary>
    /// <see cref="AppliedAtAsync(long)"/>; with <paramref name="countSnapshots"/> it also counts a replica that applied
    /// <paramref name="index"/> through a snapshot, so its log no longer holds the entry (6.5840 3D's nCommitted, whose
    /// applier fills a server's log from each snapshot it installs). Such a replica is not compared: check the snapshot.
    /// </summary>
    public async Task<(int Count, LogEntry? Entry)> AppliedAtAsync(long index, bool countSnapshots)
    {
        var count = 0;
        LogEntry? agreed = null;
        long agreedOn = 0;
        foreach (var status in await StatusesAsync())
        {
            var id = status.NodeId;
            if (status.AppliedIndex < index)
            {
                continue;
            }

            if (stores[id].Entry(index) is not { } entry)
            {
                count += countSnapshots && status.SnapshotIndex >= index ? 1 : 0;
                continue;
            }

            if (agreed is { } first && (first.Term != entry.Term || !first.Data.Span.SequenceEqual(entry.Data.Span)))
            {
                throw new InvalidOperationException($"nodes {agreedOn} and {id} applied different entries at index {index}: {agreed} vs {entry}");
            }

            agreed ??= entry;
            agreedOn = agreedOn == 0 ? id : agreedOn;
            count++;
        }

        return (count, agreed);
    }

    /// <summary>
    /// Every running replica's status, asked at one instant. The cluster settles first, so each replica has answered
    /// before this waits, and it never moves virtual time. (Waiting in <see cref="RunAsync{T}"/> could: an answer
    /// reaches its caller through the thread pool after the replica's turn, and on a busy machine that can lag
    /// while RunAsync, seeing it not yet complete, advances the clock tick after tick.)
    /// </summary>
    public async Task<IReadOnlyList<ReplicaStatus>> StatusesAsync()
    {
        var asks = NodeIds.Where(IsRunning).Select(id => Replica(id).Status(CancellationToken.None)).ToList();
        await SettleAsync();
        return await Task.WhenAll(asks);
    }

    /// <summary>
    /// A client's call to the replica on <paramref name="node"/> through the network (see
    /// <see cref="TestNetwork.CallAsync{T}"/>); null when no reply came in time, including when the node is down.
    /// It runs in <see cref="Clients"/>. The replica gets no cancellation token: a replica awaiting its answer
    /// under a token would hand it on through a thread-pool hop the cluster cannot see, so the answer could miss
    /// the deadline in virtual time; the network's deadline ends the call for the client instead.
    /// </summary>
    public Task<T?> CallAsync<T>(long client, long node, Func<RaftReplicaGrain, CancellationToken, Task<T>> call, TimeSpan timeout)
        where T : class =>
        Clients.Run(() => Network.CallAsync(client, node, _ => replicas.GetValueOrDefault(node) is { } replica ? call(replica, CancellationToken.None) : null, timeout));

    /// <summary>Stops a replica: its store keeps what it persisted, everything in memory is gone.</summary>
    public async Task CrashAsync(long node)
    {
        if (replicas[node] is { } replica)
        {
            replicas[node] = null;
            Network.Disconnect(node);
            await replica.DisposeAsync();
        }
    }

    /// <summary>Starts a crashed replica again from its store.</summary>
    public async Task RestartAsync(long node)
    {
        await CrashAsync(node);
        Network.Connect(node);
        await StartReplicaAsync(node);
        await SettleAsync();
    }

    /// <summary>
    /// Starts a new replica on node <paramref name="node"/> with no configuration of its own: it never campaigns and
    /// learns everything from a leader once a membership change adds it (<see cref="RaftReplicaGrain.ChangeMembership"/>).
    /// </summary>
    public async Task AddNodeAsync(long node)
    {
        if (stores.ContainsKey(node))
        {
            throw new InvalidOperationException($"node {node} exists already");
        }

        joined.Add(node);
        nodeIds.Add(node);
        stores[node] = new RecordingLogStore(StoreFactory(node));
        Network.Connect(node);
        await StartReplicaAsync(node);
        await SettleAsync();
    }

    /// <summary>
    /// Asks the leader to remove <paramref name="node"/> from the configuration; once that committed, stops its replica
    /// and drops it from <see cref="NodeIds"/>. Returns the leader's answer.
    /// </summary>
    public async Task<MembershipResult> RemoveNodeAsync(long node, TimeSpan? limit = null)
    {
        var leader = await WaitForLeaderAsync(limit);
        var result = await RunAsync(Replica(leader).ChangeMembership(new MembershipRequest(MembershipRequestKind.Remove, node), CancellationToken.None), limit);
        if (result.Status == MembershipStatus.Ok)
        {
            await CrashAsync(node);
            nodeIds.Remove(node);
            await SettleAsync();
        }

        return result;
    }

    /// <summary>
    /// Delivers messages, runs client work and lets replicas work, one at a time, until nothing moves: no message
    /// due, no client work waiting (<see cref="Clients"/>), no replica with anything left to handle.
    /// </summary>
    public async Task SettleAsync()
    {
        for (var round = 0; round < MaxSettleRounds; round++)
        {
            var messages = Network.TakeDue();
            foreach (var (_, message, _, _) in messages)
            {
                if (replicas.GetValueOrDefault(message.To) is { } target)
                {
                    await target.DeliverAsync(message, CancellationToken.None);
                }
            }

            var before = HandledItems();
            var clientWork = Clients.RunPending();
            foreach (var id in replicas.Keys)
            {
                if (replicas[id] is { } replica)
                {
                    // A snapshot is written off the turn loop: its end is handled in this flush, not whenever the
                    // thread pool gets to it (a write it starts counts as work, so the next round waits for that one).
                    await replica.SnapshotWrite;
                    await replica.FlushAsync();
                }
            }

            if (messages.Count == 0 && clientWork == 0 && !Clients.HasWork && !Network.HasDue() && HandledItems() == before && !SnapshotWriting())
            {
                // The turns ran on this thread: let the caller's context run what they queued there (the continuation
                // that completes a call a replica answered) before the caller looks at its tasks or moves the clock.
                await Task.Yield();
                return;
            }
        }

        throw new InvalidOperationException($"the cluster did not settle within {MaxSettleRounds} rounds (does a client work on without letting virtual time pass?)");
    }

    /// <summary>Moves virtual time forward tick by tick, settling after each.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < by; elapsed += Options.TickInterval)
        {
            Time.Advance(Options.TickInterval);
            await SettleAsync();
        }
    }

    /// <summary>Runs the cluster in virtual time until <paramref name="operation"/> completes.</summary>
    public async Task<T> RunAsync<T>(Task<T> operation, TimeSpan? limit = null)
    {
        var deadline = Time.GetUtcNow() + (limit ?? TimeSpan.FromMinutes(1));
        await SettleAsync();
        while (!operation.IsCompleted)
        {
            if (Time.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"operation did not complete within {limit ?? TimeSpan.FromMinutes(1)} of virtual time");
            }

            Time.Advance(Options.TickInterval);
            await SettleAsync();
        }

        return await operation;
    }

    /// <summary>Runs the cluster in virtual time until <paramref name="operation"/> completes.</summary>
    public Task RunAsync(Task operation, TimeSpan? limit = null) => RunAsync(Completion(operation), limit);

    /// <summary>Advances time until the running replicas agree on one leader; returns its id.</summary>
    public async Task<long> WaitForLeaderAsync(TimeSpan? limit = null)
    {
        var deadline = Time.GetUtcNow() + (limit ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var statuses = await StatusesAsync();

            var leaders = statuses.Where(s => s.Role == "leader").ToList();
            var newest = leaders.MaxBy(s => s.Term);
            if (newest is not null && statuses.Count(s => s.Leader == newest.NodeId && s.Term == newest.Term) > NodeIds.Count / 2)
            {
                return newest.NodeId;
            }

            if (Time.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"no leader agreed on by a majority within {limit ?? TimeSpan.FromSeconds(30)} of virtual time");
            }

            Time.Advance(Options.TickInterval);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in stores.Keys)
        {
            await CrashAsync(id);
            await stores[id].DisposeAsync();
        }
    }

    private async Task StartReplicaAsync(long node)
    {
        var replica = new RaftReplicaGrain(
            new ReplicaOptions
            {
                NodeId = node,
                InitialVoters = joined.Contains(node) ? [] : [.. Enumerable.Range(1, Options.Size).Select(i => (long)i)],
                TickInterval = Options.TickInterval,
                ElectionTicks = Options.ElectionTicks,
                HeartbeatTicks = Options.HeartbeatTicks,
                CheckQuorum = Options.CheckQuorum,
                Seed = Options.Seed + (int)node,
                SnapshotEntries = Options.SnapshotEntries,
                SnapshotTrailingEntries = Options.SnapshotTrailingEntries,
                MaxBatchBytes = Options.MaxBatchBytes,

                // Turns run in SettleAsync, one replica after another on the test's thread: a seed replays its run.
                HostRunsTurns = true,
            },
            stores[node],
            Network.For(node),
            Time,
            NullLogger.Instance);
        await replica.StartAsync(CancellationToken.None);
        replicas[node] = replica;
    }

    private static async Task<bool> Completion(Task operation)
    {
        await operation;
        return true;
    }

    private long HandledItems() => replicas.Values.Sum(r => r?.HandledItems ?? 0);

    private bool SnapshotWriting() => replicas.Values.Any(r => r is not null && !r.SnapshotWrite.IsCompleted);
}
