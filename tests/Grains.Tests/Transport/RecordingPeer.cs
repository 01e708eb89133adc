using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using OrleansRaft.Grains.Transport;

namespace OrleansRaft.Grains.Tests.Transport;

/// <summary>A Kestrel h2c endpoint at a fixed loopback port that records every frame POSTed to it.</summary>
internal sealed class RecordingPeer : IAsyncDisposable
{
    private readonly WebApplication app;

    private RecordingPeer(WebApplication app) => this.app = app;

    public ConcurrentQueue<DecodedFrame> Frames { get; } = new();

    public ConcurrentQueue<string> Protocols { get; } = new();

    public static async Task<RecordingPeer> StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        var peer = new RecordingPeer(app);
        app.MapPost(Http2ReplicaTransport.MessagesPath, async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            peer.Protocols.Enqueue(context.Request.Protocol);
            foreach (var frame in MessageCodec.Default.DecodeAll(body.ToArray()))
            {
                peer.Frames.Enqueue(frame);
            }

            return Results.NoContent();
        });
        await app.StartAsync();
        return peer;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
