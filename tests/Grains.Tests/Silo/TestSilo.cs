using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansRaft.Grains.Client;
using OrleansRaft.Silo;
using Xunit.Abstractions;

namespace OrleansRaft.Grains.Tests.Silo;

/// <summary>A real silo (Kestrel on loopback, in-memory log) in the test process, with a client for it.</summary>
internal sealed class TestSilo : IAsyncDisposable
{
    private readonly HttpClient http;
    private bool stopped;

    private TestSilo(SiloOptions options, WebApplication app)
    {
        Options = options;
        App = app;
        Address = SiloApp.BoundAddress(app);
        http = KvReplicaClient.CreateHttpClient(Address);
        Client = new KvReplicaClient(http, options.GroupId);
    }

    public SiloOptions Options { get; }

    public WebApplication App { get; }

    public Uri Address { get; }

    public KvReplicaClient Client { get; }

    public long NodeId => Options.NodeId;

    public ReplicaDirectory Directory => App.Services.GetRequiredService<ReplicaDirectory>();

    public PeerEndpointCounters PeerCounters => App.Services.GetRequiredService<PeerEndpointCounters>();

    /// <summary>Options for node <paramref name="nodeId"/> of a group whose members listen at <paramref name="ports"/>.</summary>
    public static SiloOptions OptionsFor(long nodeId, IReadOnlyDictionary<long, int> ports) => new()
    {
        NodeId = nodeId,
        Peers = ports.ToDictionary(p => p.Key, p => new Uri($"http://127.0.0.1:{p.Value}")),
        InMemory = true,
        Seed = (int)nodeId * 7919,
        Transport = new() { InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(200) },
    };

    public static async Task<TestSilo> StartAsync(SiloOptions options, ITestOutputHelper output)
    {
        var app = SiloApp.Build(options, logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(new TestOutputLoggerProvider(output, $"[node {options.NodeId}]"));
            logging.AddFilter("Microsoft", LogLevel.Warning);
        });
        await app.StartAsync();
        return new TestSilo(options, app);
    }

    public HttpClient NewHttpClient() => KvReplicaClient.CreateHttpClient(Address);

    public async Task StopAsync()
    {
        if (stopped)
        {
            return;
        }

        stopped = true;
        await App.StopAsync();
        await App.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await StopAsync();
    }
}
