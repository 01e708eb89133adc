using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansRaft.Grains.Hosting;
using OrleansRaft.Grains.Telemetry;

namespace OrleansRaft.Silo.Telemetry;

/// <summary>
/// The silo's OpenTelemetry providers: replica, ASP.NET Core, HttpClient and Npgsql spans and the replica
/// metrics, exported over OTLP. Built by hand (OpenTelemetry.Extensions.Hosting does not restore here) and
/// disposed with the host's services, which flushes what is still buffered.
/// </summary>
public sealed class SiloTelemetry : IDisposable
{
    private readonly TracerProvider tracerProvider;
    private readonly MeterProvider meterProvider;

    private SiloTelemetry(TracerProvider tracerProvider, MeterProvider meterProvider)
    {
        this.tracerProvider = tracerProvider;
        this.meterProvider = meterProvider;
    }

    /// <summary>Providers for <paramref name="options"/>, or null when telemetry is off.</summary>
    public static SiloTelemetry? Start(SiloOptions options)
    {
        if (options.Telemetry is not { } telemetry)
        {
            return null;
        }

        var tracer = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(Resource(telemetry, options))
            .AddSource(RaftTelemetry.ReplicaSourceName, RaftTelemetry.AspNetCoreSourceName, RaftTelemetry.HttpClientSourceName, RaftTelemetry.NpgsqlSourceName)
            .SetSampler(new SiloSampler())
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
            .SetResourceBuilder(Resource(telemetry, options))
            .AddMeter(RaftTelemetry.ReplicaMeterName)
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
        return new SiloTelemetry(tracer, meter);
    }

    public void Dispose()
    {
        tracerProvider.Dispose();
        meterProvider.Dispose();
    }

    private static OtlpExportProtocol Protocol(TelemetryOptions telemetry) =>
        telemetry.Protocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;

    // Later entries win: OTEL_SERVICE_NAME over a service.name in OTEL_RESOURCE_ATTRIBUTES (the specification's order).
    private static ResourceBuilder Resource(TelemetryOptions telemetry, SiloOptions options) =>
        ResourceBuilder.CreateEmpty()
            .AddTelemetrySdk()
            .AddAttributes(telemetry.ResourceAttributes.Select(a => new KeyValuePair<string, object>(a.Key, a.Value)))
            .AddAttributes([new(RaftTelemetry.NodeAttribute, options.NodeId), new(RaftTelemetry.GroupAttribute, options.GroupId)])
            .AddService(
                telemetry.ServiceName,
                autoGenerateServiceInstanceId: false,
                serviceInstanceId: telemetry.ResourceAttributes.GetValueOrDefault("service.instance.id") ?? $"node-{options.NodeId}");
}
