using System.Globalization;
using OrleansRaft.Gateway.Configuration;

namespace OrleansRaft.Gateway.Tests.Infrastructure;

/// <summary>A 3-silo cluster and the gateway on real Kestrel sockets (1.5 s body timeout), shared by a class's tests.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const int BodyTimeoutMs = 1500;

    private SiloCluster? cluster;
    private GatewayServer? server;

    internal OutputSink Sink { get; } = new();

    internal GatewayServer Server => server!;

    public async Task InitializeAsync()
    {
        cluster = await SiloCluster.StartAsync(Sink);
        await cluster.AgreedLeaderAsync();
        var silos = cluster.Silos.ToDictionary(s => s.NodeId, s => new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{s.Address.Port}")));
        server = await GatewayServer.StartAsync(new GatewayOptions { Silos = silos, BodyTimeoutMs = BodyTimeoutMs }, Sink);
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }
}
