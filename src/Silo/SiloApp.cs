using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansRaft.Grains.Client;
using OrleansRaft.Grains.Transport;
using OrleansRaft.Silo.Telemetry;

namespace OrleansRaft.Silo;

/// <summary>Builds the silo: Kestrel on one cleartext HTTP/2 port (h2c), the peer and replica endpoints, the replica.</summary>
public static class SiloApp
{
    /// <param name="configureLogging">Runs after the default single-line console logging; tests replace it.</param>
    public static WebApplication Build(SiloOptions options, Action<ILoggingBuilder>? configureLogging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });
        configureLogging?.Invoke(builder.Logging);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = (long)options.MaxMessageBytes + 1;
            // One connection per peer and per gateway carries everything: allow many streams and wide windows.
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 << 20;
            kestrel.Limits.Http2.InitialStreamWindowSize = 8 << 20;
            Listen(kestrel, options.ListenAddress);
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ReplicaDirectory>();
        builder.Services.AddSingleton<PeerEndpointCounters>();
        builder.Services.AddSingleton<PeerMessageEndpoint>();
        builder.Services.AddSingleton<ReplicaEndpoints>();
        builder.Services.AddHostedService<ReplicaHostedService>();
        // Listening before the host starts, so the first election and requests are traced; the container
        // disposes it (flushing the exporters) after the replica has stopped.
        if (SiloTelemetry.Start(options) is { } telemetry)
        {
            builder.Services.AddSingleton(_ => telemetry);
        }

        var app = builder.Build();
        _ = app.Services.GetService<SiloTelemetry>();
        app.MapPost(Http2ReplicaTransport.MessagesPath, (HttpContext context, PeerMessageEndpoint endpoint) => endpoint.HandleAsync(context));
        app.MapPost(ReplicaApi.KvRoute, (long group, HttpContext context, ReplicaEndpoints endpoints) => endpoints.KvAsync(group, context));
        app.MapGet(ReplicaApi.StatusRoute, (long group, HttpContext context, ReplicaEndpoints endpoints) => endpoints.StatusAsync(group, context));
        app.MapPost(ReplicaApi.TransferRoute, (long group, long? to, HttpContext context, ReplicaEndpoints endpoints) => endpoints.TransferAsync(group, to, context));
        app.MapPost(ReplicaApi.MembersRoute, (long group, HttpContext context, ReplicaEndpoints endpoints) => endpoints.AddMemberAsync(group, context));
        app.MapDelete(ReplicaApi.MemberRoute, (long group, long id, HttpContext context, ReplicaEndpoints endpoints) => endpoints.RemoveMemberAsync(group, id, context));
        app.MapGet("/healthz", (ReplicaDirectory directory) =>
        {
            var failures = directory.Replicas.Where(r => r.Grain.Failure is not null).Select(r => $"group {r.Grain.GroupId}: {r.Grain.Failure}").ToList();
            return failures.Count == 0
                ? Results.Text($"ok node {options.NodeId}\n")
                : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Replica failed", detail: string.Join("; ", failures));
        });
        return app;
    }

    /// <summary>The address the running silo listens on, with the real port when it was asked for port 0.</summary>
    public static Uri BoundAddress(WebApplication app) => new(app.Urls.First());

    private static void Listen(KestrelServerOptions kestrel, Uri address)
    {
        // HTTP/2 only: on a cleartext endpoint Kestrel's Http1AndHttp2 falls back to HTTP/1.1 for everyone (it
        // negotiates HTTP/2 through TLS ALPN only), so h2c with prior knowledge needs Http2 alone. Probes use
        // `curl --http2-prior-knowledge`.
        static void Protocols(ListenOptions listen) => listen.Protocols = HttpProtocols.Http2;
        if (address.IsLoopback && !IPAddress.TryParse(address.Host, out _))
        {
            kestrel.ListenLocalhost(address.Port, Protocols);
        }
        else if (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, address.Port, Protocols);
        }
        else
        {
            // A host name: listen on every interface, the name resolves to one of them.
            kestrel.ListenAnyIP(address.Port, Protocols);
        }
    }
}
