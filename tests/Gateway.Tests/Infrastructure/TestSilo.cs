using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using OrleansRaft.Grains.Client;
using OrleansRaft.Silo;

namespace OrleansRaft.Gateway.Tests.Infrastructure;

/// <summary>A real silo (Kestrel on loopback, cleartext HTTP/2, in-memory log) in the test process, with a client for it.</summary>
internal sealed class TestSilo : IAsyncDisposable
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

    public static async Task<TestSilo> StartAsync(SiloOptions options, OutputSink sink)
    {
        var app = SiloApp.Build(options, logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(new SinkLoggerProvider(sink, $"[node {options.NodeId}]"));
            logging.AddFilter("Microsoft", LogLevel.Warning);
        });
        await app.StartAsync();
        return new TestSilo(options, app);
    }

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
