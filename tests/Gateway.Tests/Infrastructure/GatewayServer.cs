using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using OrleansRaft.Gateway.Configuration;
using OrleansRaft.Testing.Processes;

namespace OrleansRaft.Gateway.Tests.Infrastructure;

/// <summary>
/// The gateway on real Kestrel sockets (HTTP/1.1 and h2c ports), for what the in-memory TestServer cannot do:
/// stall mid-body, send raw request lines and header bytes, speak HTTP/2.
/// </summary>
internal sealed class GatewayServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private GatewayServer(WebApplication app, Uri http1, Uri http2)
    {
        this.app = app;
        Http1 = http1;
        Http2 = http2;
    }

    public Uri Http1 { get; }

    public Uri Http2 { get; }

    public static async Task<GatewayServer> StartAsync(GatewayOptions options, OutputSink sink)
    {
        var http1 = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var http2 = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var app = GatewayApp.Build(options with { Urls = [http1], H2Urls = [http2] }, logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(new SinkLoggerProvider(sink, "[gateway]"));
            logging.AddFilter("Microsoft", LogLevel.Warning);
        });
        await app.StartAsync();
        return new GatewayServer(app, http1, http2);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
