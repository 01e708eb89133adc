using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansRaft.Grains.Client;
using OrleansRaft.Silo;

namespace OrleansRaft.Testing.Silos;

/// <summary>A real silo (Kestrel on loopback, cleartext HTTP/2, in-memory log) in the test process, with a client for it.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly HttpClient http;
    private int stopped;

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

    public bool Stopped => Volatile.Read(ref stopped) != 0;

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

    /// <summary>Starts a silo whose log goes (Microsoft.* from warnings up) to the provider <paramref name="logTo"/> makes for the line prefix it is given.</summary>
    public static async Task<TestSilo> StartAsync(SiloOptions options, Func<string, ILoggerProvider> logTo)
    {
        var app = SiloApp.Build(options, logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(logTo($"[node {options.NodeId}]"));
            logging.AddFilter("Microsoft", LogLevel.Warning);
        });
        await app.StartAsync();
        return new TestSilo(options, app);
    }

    public HttpClient NewHttpClient() => KvReplicaClient.CreateHttpClient(Address);

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }

        await App.StopAsync();
        await App.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await StopAsync();
    }
}
