using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansRaft.Grains;
using OrleansRaft.Grains.Storage;
using OrleansRaft.Grains.Transport;

namespace OrleansRaft.Silo;

/// <summary>
/// Creates this silo's replica (store, transport, grain) at start and takes it down at stop: the grain
/// finishes its turn and flushes before the transport and the store go away.
/// </summary>
internal sealed class ReplicaHostedService(SiloOptions options, ReplicaDirectory directory, ILoggerFactory loggers) : IHostedService
{
    private readonly ILogger logger = loggers.CreateLogger("OrleansRaft.Silo");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var peers = options.Peers.Where(p => p.Key != options.NodeId).ToDictionary();
        logger.LogInformation(
            "node {NodeId} silo starting: group {GroupId}, listening on {Listen}, peers {Peers}, store {Store}",
            options.NodeId, options.GroupId, options.ListenAddress, string.Join(",", options.Peers.Select(p => $"{p.Key}={p.Value}")), options.InMemory ? "in-memory" : "postgres");
        if (options.InMemory)
        {
            logger.LogWarning("node {NodeId}: THE LOG IS KEPT IN MEMORY ONLY (--in-memory). Everything this replica stores is lost when the process exits. Development and tests only.", options.NodeId);
        }

        ILogStore store = options.InMemory
            ? new InMemoryLogStore()
            : new PostgresLogStore(options.PostgresConnectionString!, options.GroupId, options.NodeId, loggers.CreateLogger<PostgresLogStore>());
        Http2ReplicaTransport? transport = null;
        try
        {
            transport = new Http2ReplicaTransport(
                peers,
                options.ToTransportOptions(),
                (groupId, peerId) => directory.Find(groupId)?.Grain.ReportUnreachable(peerId),
                loggers.CreateLogger("OrleansRaft.Transport"),
                TimeProvider.System);
            var grain = new RaftReplicaGrain(options.ToReplicaOptions(), store, transport, TimeProvider.System, loggers.CreateLogger<RaftReplicaGrain>());
            await grain.StartAsync(cancellationToken);
            directory.Add(options.GroupId, new ReplicaEntry(grain, store, transport));
        }
        catch
        {
            if (transport is not null)
            {
                await transport.DisposeAsync();
            }

            await store.DisposeAsync();
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (directory.Remove(options.GroupId) is not { } entry)
        {
            return;
        }

        logger.LogInformation("node {NodeId} group {GroupId}: stopping the replica", options.NodeId, options.GroupId);
        await entry.Grain.DisposeAsync();
        await entry.Transport.DisposeAsync();
        await entry.Store.DisposeAsync();
        logger.LogInformation(
            "node {NodeId} group {GroupId}: stopped; transport sent {Sent} messages, dropped {Dropped}, lost {Lost} in {Failures} failed sends",
            options.NodeId, options.GroupId, entry.Transport.MessagesSent, entry.Transport.MessagesDropped, entry.Transport.MessagesLost, entry.Transport.Failures);
    }
}
