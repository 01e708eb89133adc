using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansRaft.Grains.Storage;
using OrleansRaft.Grains.Transport;
using OrleansRaft.Raft.Messages;
using OrleansRaft.Testing.Time;

namespace OrleansRaft.Grains.Tests.Telemetry;

/// <summary>
/// Replicas in this process over an in-memory network that carries each message's trace context, as the HTTP/2
/// transport's frames do (TestCluster's network drops it). Reliable; time moves only when the test says.
/// </summary>
internal sealed class TracingNetwork : IAsyncDisposable
{
    private readonly ConcurrentQueue<(RaftMessage Message, ActivityContext Context)> queue = new();
    private readonly Dictionary<long, RaftReplicaGrain> replicas = [];

    public ManualTimeProvider Time { get; } = new();

    public RaftReplicaGrain this[long node] => replicas[node];

    public static async Task<TracingNetwork> StartAsync(int size)
    {
        var network = new TracingNetwork();
        long[] voters = [.. Enumerable.Range(1, size).Select(i => (long)i)];
        foreach (var id in voters)
        {
            var replica = new RaftReplicaGrain(
                new ReplicaOptions { NodeId = id, InitialVoters = voters, ElectionTicks = 10, HeartbeatTicks = 2, Seed = 7 + (int)id },
                new InMemoryLogStore(),
                new Endpoint(network),
                network.Time,
                NullLogger.Instance);
            await replica.StartAsync(CancellationToken.None);
            network.replicas[id] = replica;
        }

        return network;
    }

    /// <summary>Delivers and lets replicas work until no message is in flight.</summary>
    public async Task SettleAsync()
    {
        for (var round = 0; round < 10_000; round++)
        {
            var delivered = 0;
            while (queue.TryDequeue(out var item))
            {
                delivered++;
                await replicas[item.Message.To].DeliverAsync(item.Message, item.Context, CancellationToken.None);
            }

            foreach (var replica in replicas.Values)
            {
                await replica.FlushAsync();
            }

            if (delivered == 0 && queue.IsEmpty)
            {
                return;
            }
        }

        throw new InvalidOperationException("the network did not settle");
    }

    /// <summary>Ticks until one replica leads and every other names it; returns it.</summary>
    public async Task<long> ElectAsync()
    {
        for (var tick = 0; tick < 1000; tick++)
        {
            Time.Advance(TimeSpan.FromMilliseconds(10));
            await SettleAsync();
            var statuses = new List<ReplicaStatus>();
            foreach (var replica in replicas.Values)
            {
                statuses.Add(await replica.Status(CancellationToken.None));
            }

            if (statuses.SingleOrDefault(s => s.Role == "leader") is { } leader && statuses.All(s => s.Leader == leader.NodeId))
            {
                return leader.NodeId;
            }
        }

        throw new InvalidOperationException("no leader within 1000 ticks");
    }

    /// <summary>Runs <paramref name="operation"/> to completion, settling (and ticking if need be) meanwhile.</summary>
    public async Task<T> RunAsync<T>(Task<T> operation)
    {
        for (var tick = 0; !operation.IsCompleted && tick < 1000; tick++)
        {
            await SettleAsync();
            if (!operation.IsCompleted)
            {
                Time.Advance(TimeSpan.FromMilliseconds(10));
            }
        }

        return await operation;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in replicas.Values)
        {
            await replica.DisposeAsync();
        }
    }

    private sealed class Endpoint(TracingNetwork network) : IReplicaTransport
    {
        public void Send(long groupId, RaftMessage message) => network.queue.Enqueue((message, default));

        public void Send(long groupId, RaftMessage message, ActivityContext traceContext) => network.queue.Enqueue((message, traceContext));
    }
}
