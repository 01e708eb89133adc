using System.Globalization;

namespace OrleansRaft.Gateway.Tests.Infrastructure;

/// <summary>Clusters and gateways a test class starts per test, disposed last-started first.</summary>
internal sealed class OwnedClusters(OutputSink sink) : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> owned = [];

    public OutputSink Sink => sink;

    public async Task<SiloCluster> StartAsync((int Min, int Max)? electionTimeoutMs = null, int count = 3)
    {
        var cluster = await SiloCluster.StartAsync(sink, electionTimeoutMs, count);
        owned.Add(cluster);
        return cluster;
    }

    /// <summary>A client of a new in-memory gateway for <paramref name="silos"/> with one "Gateway:Key" setting.</summary>
    public HttpClient NewGateway(string silos, string setting, int value)
    {
        var factory = new GatewayFactory(silos, sink, new Dictionary<string, string> { [setting] = value.ToString(CultureInfo.InvariantCulture) });
        owned.Add(factory);
        return factory.NewClient();
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = owned.Count - 1; i >= 0; i--)
        {
            await owned[i].DisposeAsync();
        }
    }
}
