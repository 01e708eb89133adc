using OrleansRaft.Grains.Hosting;
using OrleansRaft.Silo;

namespace OrleansRaft.Grains.Tests.Telemetry;

public sealed class TelemetryOptionsTests
{
    private const string Peers = "1=http://127.0.0.1:7001,2=http://127.0.0.1:7002,3=http://127.0.0.1:7003";

    [Fact]
    public void Without_an_endpoint_telemetry_is_off()
    {
        var errors = new List<string>();
        Assert.Null(TelemetryOptions.FromEnvironment(_ => null, "svc", errors));
        Assert.Null(TelemetryOptions.FromEnvironment(Env(("OTEL_SERVICE_NAME", "x"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")), "svc", errors));
        Assert.Null(TelemetryOptions.FromEnvironment(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), ("OTEL_SDK_DISABLED", "true")), "svc", errors));
        Assert.Empty(errors);
        Assert.Null(Silo([]).Telemetry);
    }

    [Fact]
    public void Http_protobuf_is_the_default_and_appends_the_signal_paths()
    {
        var errors = new List<string>();
        var options = TelemetryOptions.FromEnvironment(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/base/")), "orleansraft-silo", errors)!;
        Assert.Empty(errors);
        Assert.Equal(OtlpProtocol.HttpProtobuf, options.Protocol);
        Assert.Equal(new Uri("http://collector:4318/base/v1/traces"), options.TracesUrl);
        Assert.Equal(new Uri("http://collector:4318/base/v1/metrics"), options.MetricsUrl);
        Assert.Equal("orleansraft-silo", options.ServiceName);
        Assert.Null(options.TraceExportDelayMs);
    }

    [Fact]
    public void Grpc_uses_the_endpoint_as_given_and_per_signal_urls_win()
    {
        var errors = new List<string>();
        var options = TelemetryOptions.FromEnvironment(
            Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://metrics:9999/m"), ("OTEL_BSP_SCHEDULE_DELAY", "200"), ("OTEL_METRIC_EXPORT_INTERVAL", "1000")),
            "svc",
            errors)!;
        Assert.Empty(errors);
        Assert.Equal(OtlpProtocol.Grpc, options.Protocol);
        Assert.Equal(new Uri("http://collector:4317"), options.TracesUrl);
        Assert.Equal(new Uri("http://metrics:9999/m"), options.MetricsUrl);
        Assert.Equal((200, 1000), (options.TraceExportDelayMs, options.MetricExportIntervalMs));
    }

    [Fact]
    public void The_service_name_and_resource_attributes_follow_the_specification()
    {
        var errors = new List<string>();
        var fromAttributes = TelemetryOptions.FromEnvironment(
            Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), ("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attributes, deployment.environment=prod,team=raft%20core")),
            "default",
            errors)!;
        Assert.Equal("from-attributes", fromAttributes.ServiceName);
        Assert.Equal("raft core", fromAttributes.ResourceAttributes["team"]);
        Assert.Equal("prod", fromAttributes.ResourceAttributes["deployment.environment"]);

        var named = TelemetryOptions.FromEnvironment(
            Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), ("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attributes"), ("OTEL_SERVICE_NAME", "silo-a")),
            "default",
            errors)!;
        Assert.Equal("silo-a", named.ServiceName);
        Assert.Empty(errors);
    }

    [Fact]
    public void Malformed_values_are_configuration_errors_of_the_silo()
    {
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "collector:4318",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/json",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "novalue",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "-5",
        };
        var result = SiloCommandLine.Load(["--node-id", "1", "--peers", Peers, "--in-memory"], environment.GetValueOrDefault, null);
        Assert.Null(result.Options);
        Assert.Contains(result.Errors, e => e.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", StringComparison.Ordinal));

        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://c:4318";
        result = SiloCommandLine.Load(["--node-id", "1", "--peers", Peers, "--in-memory"], environment.GetValueOrDefault, null);
        Assert.Contains(result.Errors, e => e.Contains("OTEL_EXPORTER_OTLP_PROTOCOL 'http/json'", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("'novalue' is not key=value", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("OTEL_BSP_SCHEDULE_DELAY", StringComparison.Ordinal));
    }

    [Fact]
    public void The_silo_reads_the_variables_and_its_help_lists_them()
    {
        var options = Silo([("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")]);
        Assert.Equal(SiloCommandLine.DefaultServiceName, options.Telemetry!.ServiceName);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", SiloCommandLine.HelpText, StringComparison.Ordinal);
        Assert.Contains("OTEL_EXPORTER_OTLP_PROTOCOL", SiloCommandLine.HelpText, StringComparison.Ordinal);
    }

    private static SiloOptions Silo((string, string)[] variables)
    {
        var result = SiloCommandLine.Load(["--node-id", "1", "--peers", Peers, "--in-memory"], Env(variables), null);
        Assert.Empty(result.Errors);
        return result.Options!;
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
