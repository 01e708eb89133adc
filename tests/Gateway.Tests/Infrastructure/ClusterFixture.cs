using System.Net;
using System.Text;
using OrleansRaft.Testing.Polling;

namespace OrleansRaft.Gateway.Tests.Infrastructure;

/// <summary>One 3-silo cluster and one in-memory gateway shared by the tests of a class that leave both healthy.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private SiloCluster? cluster;
    private GatewayFactory? factory;

    internal OutputSink Sink { get; } = new();

    internal SiloCluster Cluster => cluster!;

    internal GatewayFactory Factory => factory!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        cluster = await SiloCluster.StartAsync(Sink);
        await cluster.AgreedLeaderAsync();
        factory = new GatewayFactory(cluster.SilosArgument, Sink);
        Client = factory.NewClient();
        await Eventually.HoldsAsync(
            async () => (await Client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK,
            SiloCluster.LeaderTimeout,
            () => "the gateway never became ready");
    }

    /// <summary>A PUT then a GET through the gateway succeed: bad input before left it and the cluster serving.</summary>
    public async Task AssertStillServingAsync()
    {
        var key = "alive-" + Guid.NewGuid().ToString("N");
        var put = await Client.PutAsync("/v1/kv/" + key, new ByteArrayContent(Encoding.UTF8.GetBytes(key)));
        Assert.True(put.StatusCode == HttpStatusCode.OK, $"PUT after bad input: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        var get = await Client.GetAsync("/v1/kv/" + key);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(key, await get.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (factory is not null)
        {
            await factory.DisposeAsync();
        }

        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }
}
