using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansRaft.Gateway.Configuration;
using OrleansRaft.Grains.Hosting;
using OrleansRaft.Grains.Telemetry;

namespace OrleansRaft.Gateway.Telemetry;

/// <summary>
/// The gateway's OpenTelemetry providers: kv.request, ASP.NET Core and HttpClient spans and the request
/// metric, exported over OTLP. Built by hand (OpenTelemetry.Extensions.Hosting does not restore here) and
/// disposed with the host's services, which flushes what is still buffered.
/// </summary>
public sealed class GatewayTelemetry : IDisposable
{
    private readonly TracerProvider tracerProvider;
    private readonly MeterProvider meterProvider;

    private GatewayTelemetry(TracerProvider tracerProvider, MeterProvider meterProvider)
    {
        this.tracerProvider = tracerProvider;
        this.meterProvider = meterProvider;
    }

    /// <summary>Providers for <paramref name="options"/>, or null when telemetry is off.</summary>
    public static GatewayTelemetry? Start(GatewayOptions options)
    {
        if (options.Telemetry is not { } telemetry)
        {
            return null;
        }

        var tracer = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(Resource(telemetry))
            .AddSource(RaftTelemetry.GatewaySourceName, RaftTelemetry.AspNetCoreSourceName, RaftTelemetry.HttpClientSourceName)
            .AddOtlpExporter(exporter =>
            {
                exporter.Protocol = Protocol(telemetry);
                exporter.Endpoint = telemetry.TracesUrl;
                if (telemetry.TraceExportDelayMs is { } delay)
                {
                    exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = delay;
                }
            })
            .Build();
        var meter = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(Resource(telemetry))
            .AddMeter(RaftTelemetry.GatewayMeterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Protocol = Protocol(telemetry);
                exporter.Endpoint = telemetry.MetricsUrl;
                if (telemetry.MetricExportIntervalMs is { } interval)
                {
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                }
            })
            .Build();
        return new GatewayTelemetry(tracer, meter);
    }

    public void Dispose()
    {
        tracerProvider.Dispose();
        meterProvider.Dispose();
    }

    private static OtlpExportProtocol Protocol(TelemetryOptions telemetry) =>
        telemetry.Protocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;

    // Later entries win: OTEL_SERVICE_NAME over a service.name in OTEL_RESOURCE_ATTRIBUTES (the specification's order).
    private static ResourceBuilder Resource(TelemetryOptions telemetry) =>
        ResourceBuilder.CreateEmpty()
            .AddTelemetrySdk()
            .AddAttributes(telemetry.ResourceAttributes.Select(a => new KeyValuePair<string, object>(a.Key, a.Value)))
            .AddService(telemetry.ServiceName, serviceInstanceId: telemetry.ResourceAttributes.GetValueOrDefault("service.instance.id"));
}
