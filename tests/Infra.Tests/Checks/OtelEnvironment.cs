namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>The OpenTelemetry SDK's standard environment variables as the silo and gateway will read them.</summary>
public static class OtelEnvironment
{
    public const string Endpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string Protocol = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string ServiceName = "OTEL_SERVICE_NAME";
    public const string ResourceAttributes = "OTEL_RESOURCE_ATTRIBUTES";

    /// <summary>OTLP over HTTP with protobuf bodies: the collector's port 4318.</summary>
    public const string HttpProtobuf = "http/protobuf";

    /// <summary>
    /// Names from the OpenTelemetry specification (SDK environment variables and the OTLP exporter's); anything
    /// else spelled OTEL_* is a typo the SDK would ignore.
    /// </summary>
    public static IReadOnlySet<string> Standard { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "OTEL_SDK_DISABLED", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_SERVICE_NAME", "OTEL_LOG_LEVEL", "OTEL_PROPAGATORS",
        "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER", "OTEL_LOGS_EXPORTER",
        "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT", "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
        "OTEL_METRIC_EXPORT_INTERVAL", "OTEL_METRIC_EXPORT_TIMEOUT", "OTEL_METRICS_EXEMPLAR_FILTER",
        "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT", "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_SPAN_EVENT_COUNT_LIMIT", "OTEL_SPAN_LINK_COUNT_LIMIT",
        Endpoint, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
        Protocol, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL",
        "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_CERTIFICATE",
        "OTEL_EXPORTER_OTLP_CLIENT_KEY", "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
    };

    /// <summary>
    /// Standard names only; endpoint, protocol (http/protobuf), service name and a service.instance.id set; the
    /// endpoint at <paramref name="httpPort"/> (the collector's OTLP/HTTP receiver) and, when given, on <paramref name="host"/>.
    /// </summary>
    public static IEnumerable<string> Check(string where, IReadOnlyDictionary<string, string> environment, int httpPort, string? host)
    {
        foreach (var name in environment.Keys.Where(n => n.StartsWith("OTEL_", StringComparison.Ordinal) && !Standard.Contains(n)))
        {
            yield return $"{where}: {name} is not a standard OpenTelemetry variable";
        }

        foreach (var name in new[] { Endpoint, Protocol, ServiceName, ResourceAttributes }.Where(n => !environment.ContainsKey(n)))
        {
            yield return $"{where}: {name} is not set";
        }

        if (environment.TryGetValue(Protocol, out var protocol) && protocol != HttpProtobuf)
        {
            yield return $"{where}: {Protocol} is {protocol}; the deployment uses {HttpProtobuf} (port {httpPort})";
        }

        if (environment.TryGetValue(Endpoint, out var endpoint))
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            {
                yield return $"{where}: {Endpoint} '{endpoint}' is not an http:// address";
            }
            else
            {
                if (uri.Port != httpPort)
                {
                    yield return $"{where}: {Endpoint} {endpoint} is not the collector's OTLP/HTTP port {httpPort}";
                }

                if (host is not null && uri.Host != host)
                {
                    yield return $"{where}: {Endpoint} {endpoint} is not the collector service {host}";
                }

                if (uri.AbsolutePath != "/")
                {
                    yield return $"{where}: {Endpoint} {endpoint} has a path; the SDK appends /v1/traces and /v1/metrics to the base address itself";
                }
            }
        }

        if (environment.TryGetValue(ResourceAttributes, out var attributes))
        {
            var pairs = attributes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).ToList();
            foreach (var bad in pairs.Where(p => p.Length != 2 || p[0].Length == 0 || p[1].Length == 0))
            {
                yield return $"{where}: {ResourceAttributes} entry '{string.Join('=', bad)}' is not key=value";
            }

            if (!pairs.Any(p => p[0] == "service.instance.id"))
            {
                yield return $"{where}: {ResourceAttributes} has no service.instance.id (the dashboard's per-node series need it)";
            }
        }
    }

    /// <summary>The service.instance.id in a resource attribute list; null when absent.</summary>
    public static string? InstanceId(IReadOnlyDictionary<string, string> environment) =>
        environment.GetValueOrDefault(ResourceAttributes)?.Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .FirstOrDefault(p => p.Length == 2 && p[0] == "service.instance.id")?[1];
}
