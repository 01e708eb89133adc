using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using OrleansRaft.Testing.Processes;

namespace OrleansRaft.Grains.Tests.Telemetry;

/// <summary>
/// A stand-in OpenTelemetry collector in the test process: OTLP/HTTP (http/protobuf, <c>POST /v1/traces</c>
/// and <c>/v1/metrics</c>) on one port and OTLP/gRPC (h2c) on another; it decodes what arrives.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private const string TraceExport = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    private const string MetricsExport = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

    private readonly WebApplication app;

    private OtlpReceiver(WebApplication app) => this.app = app;

    public ConcurrentQueue<OtlpSpan> Spans { get; } = new();

    public ConcurrentQueue<string> Metrics { get; } = new();

    /// <summary>"http/protobuf" or "grpc" for each export received.</summary>
    public ConcurrentQueue<string> Protocols { get; } = new();

    public required Uri HttpEndpoint { get; init; }

    public required Uri GrpcEndpoint { get; init; }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var (httpPort, grpcPort) = (FreePort.Next(), FreePort.Next());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, httpPort, listen => listen.Protocols = HttpProtocols.Http1);
            // gRPC over cleartext HTTP/2 needs prior knowledge, which Kestrel offers on an HTTP/2-only endpoint.
            kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver(app)
        {
            HttpEndpoint = new Uri($"http://127.0.0.1:{httpPort}"),
            GrpcEndpoint = new Uri($"http://127.0.0.1:{grpcPort}"),
        };
        app.MapPost("/v1/traces", async (HttpContext context) =>
        {
            foreach (var span in OtlpDecoder.Spans(await ReadAsync(context)))
            {
                receiver.Spans.Enqueue(span);
            }

            receiver.Protocols.Enqueue("http/protobuf");
            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/metrics", async (HttpContext context) =>
        {
            foreach (var name in OtlpDecoder.MetricNames(await ReadAsync(context)))
            {
                receiver.Metrics.Enqueue(name);
            }

            receiver.Protocols.Enqueue("http/protobuf");
            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost(TraceExport, async (HttpContext context) =>
        {
            foreach (var span in OtlpDecoder.Spans(OtlpDecoder.UnwrapGrpc(await ReadAsync(context))))
            {
                receiver.Spans.Enqueue(span);
            }

            receiver.Protocols.Enqueue("grpc");
            await GrpcOkAsync(context);
        });
        app.MapPost(MetricsExport, async (HttpContext context) =>
        {
            foreach (var name in OtlpDecoder.MetricNames(OtlpDecoder.UnwrapGrpc(await ReadAsync(context))))
            {
                receiver.Metrics.Enqueue(name);
            }

            receiver.Protocols.Enqueue("grpc");
            await GrpcOkAsync(context);
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static async Task<byte[]> ReadAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        return body.ToArray();
    }

    /// <summary>An empty Export…ServiceResponse as one gRPC message, then grpc-status 0 in the trailers.</summary>
    private static async Task GrpcOkAsync(HttpContext context)
    {
        context.Response.ContentType = "application/grpc";
        context.Response.DeclareTrailer("grpc-status");
        await context.Response.Body.WriteAsync(new byte[5]);
        context.Response.AppendTrailer("grpc-status", "0");
    }
}
