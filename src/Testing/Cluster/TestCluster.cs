using Microsoft.Extensions.Logging.Abstractions;
using OrleansRaft.Grains;
using OrleansRaft.Grains.Storage;
using OrleansRaft.Testing.Time;

namespace OrleansRaft.Testing.Cluster;

/// <summary>
/// N silos' replica grains in one process, as Orleans' in-process test cluster: the same
/// <see cref="RaftReplicaGrain"/> as the silo process, over a <see cref="TestNetwork"/>, on a
/// <see cref="ManualTimeProvider"/> that only the test moves. Replicas run one at a time while the cluster
/// settles, so the same test does the same thing every run.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private const int MaxSettleRounds = 100_000;

    private readonly Dictionary<long, RaftReplicaGrain?> replicas = [];
    private readonly Dictionary<long, ILogStore> stores = [];

    private TestCluster(TestClusterOptions options)
    {
        Options = options;
        NodeIds = [.. Enumerable.Range(1, options.Size).Select(i => (long)i)];
    }

    public TestClusterOptions Options { get; }

    public IReadOnlyList<long> NodeIds { get; }

    public ManualTimeProvider Time { get; } = new();

    public TestNetwork Network { get; } = new();

    /// <summary>Creates the store for a node; the default keeps the log in memory.</summary>
    public Func<long, ILogStore> StoreFactory { get; init; } = _ => new InMemoryLogStore();

    public static async Task<TestCluster> StartAsync(TestClusterOptions? options = null, Func<long, ILogStore>? storeFactory = null)
    {
        var cluster = new TestCluster(options ?? new TestClusterOptions()) { StoreFactory = storeFactory ?? (_ => new InMemoryLogStore()) };
        foreach (var id in cluster.NodeIds)
        {
            cluster.stores[id] = cluster.StoreFactory(id);
            await cluster.StartReplicaAsync(id);
        }

        await cluster.SettleAsync();
        return cluster;
    }

    /// <summary>The running replica on <paramref name="node"/>; throws if it is crashed.</summary>
    public RaftReplicaGrain Replica(long node) => replicas[node] ?? throw new InvalidOperationException($"node {node} is crashed");

    public bool IsRunning(long node) => replicas[node] is not null;

    public ILogStore Store(long node) => stores[node];

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

    /// <summary>Delivers messages and lets replicas work, one at a time, until nothing moves.</summary>
    public async Task SettleAsync()
    {
        for (var round = 0; round < MaxSettleRounds; round++)
        {
            var messages = Network.TakeAll();
            foreach (var (_, message) in messages)
            {
                if (replicas.GetValueOrDefault(message.To) is { } target)
                {
                    await target.DeliverAsync(message, CancellationToken.None);
                }
            }

            var before = HandledItems();
            foreach (var id in NodeIds)
            {
                if (replicas[id] is { } replica)
                {
                    await replica.FlushAsync();
                }
            }

            if (messages.Count == 0 && Network.Pending == 0 && HandledItems() == before)
            {
                return;
            }
        }

        throw new InvalidOperationException($"the cluster did not settle within {MaxSettleRounds} rounds");
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

    /// <summary>Advances time until the running replicas agree on one leader; returns its id.</summary>
    public async Task<long> WaitForLeaderAsync(TimeSpan? limit = null)
    {
        var deadline = Time.GetUtcNow() + (limit ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            await SettleAsync();
            var statuses = new List<ReplicaStatus>();
            foreach (var id in NodeIds.Where(IsRunning))
            {
                statuses.Add(await RunAsync(Replica(id).Status(CancellationToken.None)));
            }

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
        foreach (var id in NodeIds)
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
                InitialVoters = NodeIds,
                TickInterval = Options.TickInterval,
                ElectionTicks = Options.ElectionTicks,
                HeartbeatTicks = Options.HeartbeatTicks,
                Seed = Options.Seed + (int)node,
            },
            stores[node],
            Network.For(node),
            Time,
            NullLogger.Instance);
        await replica.StartAsync(CancellationToken.None);
        replicas[node] = replica;
    }

    private long HandledItems() => replicas.Values.Sum(r => r?.HandledItems ?? 0);
}
