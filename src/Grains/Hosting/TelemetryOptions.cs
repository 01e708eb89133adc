using System.Globalization;

namespace OrleansRaft.Grains.Hosting;

/// <summary>
/// Where a host (silo, gateway) exports traces and metrics, read from the standard OpenTelemetry variables.
/// Telemetry is off, at no cost, unless an OTLP endpoint is set. Plain settings only: the hosts turn them into
/// OpenTelemetry SDK providers, so nothing below them references the SDK.
/// </summary>
public sealed record TelemetryOptions
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string TracesEndpointVariable = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    public const string MetricsEndpointVariable = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";
    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string ServiceNameVariable = "OTEL_SERVICE_NAME";
    public const string ResourceAttributesVariable = "OTEL_RESOURCE_ATTRIBUTES";
    public const string DisabledVariable = "OTEL_SDK_DISABLED";
    public const string TraceExportDelayVariable = "OTEL_BSP_SCHEDULE_DELAY";
    public const string MetricExportIntervalVariable = "OTEL_METRIC_EXPORT_INTERVAL";

    /// <summary>The variables <see cref="FromEnvironment"/> reads, for --help.</summary>
    public static IReadOnlyList<(string Name, string Help)> Variables { get; } =
    [
        (EndpointVariable, "OTLP collector base address, e.g. http://127.0.0.1:4318; unset = telemetry off"),
        (ProtocolVariable, "http/protobuf (default; traces to <endpoint>/v1/traces) or grpc (e.g. port 4317)"),
        (TracesEndpointVariable + ", " + MetricsEndpointVariable, "full per-signal URLs, overriding the endpoint"),
        (ServiceNameVariable, "service.name of this process"),
        (ResourceAttributesVariable, "more resource attributes: key=value,key2=value2 (values percent-encoded)"),
        (TraceExportDelayVariable + ", " + MetricExportIntervalVariable, "export delay of spans and interval of metrics, ms"),
        (DisabledVariable, "true turns telemetry off even with an endpoint"),
    ];

    /// <summary>The collector's base address; with http/protobuf each signal goes to <c>v1/{signal}</c> under it.</summary>
    public required Uri Endpoint { get; init; }

    public OtlpProtocol Protocol { get; init; } = OtlpProtocol.HttpProtobuf;

    /// <summary>A full URL for traces, used as given (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).</summary>
    public Uri? TracesEndpoint { get; init; }

    /// <summary>A full URL for metrics, used as given (OTEL_EXPORTER_OTLP_METRICS_ENDPOINT).</summary>
    public Uri? MetricsEndpoint { get; init; }

    public required string ServiceName { get; init; }

    public IReadOnlyDictionary<string, string> ResourceAttributes { get; init; } = new Dictionary<string, string>();

    /// <summary>How long finished spans wait to be batched; the SDK's 5 s when null.</summary>
    public int? TraceExportDelayMs { get; init; }

    /// <summary>How often metrics are exported; the SDK's 60 s when null.</summary>
    public int? MetricExportIntervalMs { get; init; }

    public Uri TracesUrl => TracesEndpoint ?? SignalUrl("traces");

    public Uri MetricsUrl => MetricsEndpoint ?? SignalUrl("metrics");

    /// <summary>
    /// The settings in <paramref name="environment"/>, or null when telemetry is off (no endpoint, or
    /// OTEL_SDK_DISABLED=true). Malformed values are added to <paramref name="errors"/>.
    /// </summary>
    public static TelemetryOptions? FromEnvironment(Func<string, string?> environment, string defaultServiceName, List<string> errors)
    {
        if (string.Equals(environment(DisabledVariable)?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var tracesEndpoint = Url(environment, TracesEndpointVariable, errors);
        var metricsEndpoint = Url(environment, MetricsEndpointVariable, errors);
        var endpoint = Url(environment, EndpointVariable, errors);
        if (endpoint is null && tracesEndpoint is null && metricsEndpoint is null)
        {
            return null;
        }

        var protocol = OtlpProtocol.HttpProtobuf;
        switch (environment(ProtocolVariable)?.Trim())
        {
            case null or "" or "http/protobuf":
                break;
            case "grpc":
                protocol = OtlpProtocol.Grpc;
                break;
            case var other:
                errors.Add($"{ProtocolVariable} '{other}': expected http/protobuf or grpc (http/json is not supported by the .NET exporter)");
                break;
        }

        var attributes = ParseAttributes(environment(ResourceAttributesVariable), errors);
        var serviceName = environment(ServiceNameVariable)?.Trim() is { Length: > 0 } name
            ? name
            : attributes.GetValueOrDefault("service.name") ?? defaultServiceName;
        return new TelemetryOptions
        {
            // With only per-signal URLs the base is unused; any absolute URL stands in.
            Endpoint = endpoint ?? tracesEndpoint ?? metricsEndpoint!,
            Protocol = protocol,
            TracesEndpoint = tracesEndpoint,
            MetricsEndpoint = metricsEndpoint,
            ServiceName = serviceName,
            ResourceAttributes = attributes,
            TraceExportDelayMs = Milliseconds(environment, TraceExportDelayVariable, errors),
            MetricExportIntervalMs = Milliseconds(environment, MetricExportIntervalVariable, errors),
        };
    }

    /// <summary>OTEL_RESOURCE_ATTRIBUTES: <c>key=value</c> pairs joined by commas, values percent-encoded.</summary>
    public static Dictionary<string, string> ParseAttributes(string? text, List<string> errors)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return attributes;
        }

        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                errors.Add($"{ResourceAttributesVariable}: '{pair}' is not key=value");
                continue;
            }

            attributes[pair[..equals].Trim()] = Uri.UnescapeDataString(pair[(equals + 1)..].Trim());
        }

        return attributes;
    }

    // OTLP/HTTP: a base endpoint gets the signal's path appended (the specification's rule for this variable).
    private Uri SignalUrl(string signal) =>
        Protocol == OtlpProtocol.Grpc ? Endpoint : new Uri($"{Endpoint.AbsoluteUri.TrimEnd('/')}/v1/{signal}");

    private static Uri? Url(Func<string, string?> environment, string variable, List<string> errors)
    {
        var text = environment(variable)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            return url;
        }

        errors.Add($"{variable} '{text}': expected an absolute http:// or https:// URL");
        return null;
    }

    private static int? Milliseconds(Func<string, string?> environment, string variable, List<string> errors)
    {
        var text = environment(variable)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0)
        {
            return ms;
        }

        errors.Add($"{variable} '{text}': expected a positive number of milliseconds");
        return null;
    }
}
