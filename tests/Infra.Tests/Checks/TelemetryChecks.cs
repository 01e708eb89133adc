using OrleansRaft.Infra.Tests.Yaml;
using YamlDotNet.RepresentationModel;

namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>The telemetry path: processes → collector (OTLP) → Tempo and Prometheus.</summary>
public static class TelemetryChecks
{
    /// <summary>Silos and gateways send OTLP/HTTP to the collector service's receiver, each with its own instance id.</summary>
    public static IReadOnlyList<string> ProcessEnvironment(ComposeStack stack) => Problems.Collect(problems =>
    {
        var collector = stack.Collector.Name;
        var port = stack.CollectorOtlpHttp.Port;
        var services = stack.Silos.Concat(stack.Gateways).ToList();
        foreach (var service in services)
        {
            problems.AddRange(OtelEnvironment.Check($"service {service.Name}", service.Environment, port, collector));
        }

        foreach (var clash in services.GroupBy(s => OtelEnvironment.InstanceId(s.Environment)).Where(g => g.Key is not null && g.Count() > 1))
        {
            problems.Add($"services {string.Join(", ", clash.Select(s => s.Name))} share service.instance.id {clash.Key}");
        }
    });

    /// <summary>
    /// The collector: OTLP receivers reachable from other containers, every pipeline component defined, traces
    /// exported to Tempo's OTLP port, metrics to the Prometheus exporter with the naming the dashboard assumes.
    /// </summary>
    public static IReadOnlyList<string> Collector(ComposeStack stack) => Problems.Collect(problems =>
    {
        var config = stack.CollectorConfig;
        var file = stack.CollectorConfigPath;
        foreach (var endpoint in new[] { stack.CollectorOtlpGrpc, stack.CollectorOtlpHttp, stack.CollectorPrometheusExporter }.Where(e => e.Host != "0.0.0.0"))
        {
            problems.Add($"{file}: {endpoint} listens on {endpoint.Host} only; other containers need 0.0.0.0");
        }

        var pipelines = config.At("service", "pipelines");
        var used = new Dictionary<string, HashSet<string>> { ["receivers"] = [], ["processors"] = [], ["exporters"] = [] };
        foreach (var name in pipelines.Keys())
        {
            foreach (var section in used.Keys)
            {
                foreach (var component in pipelines.At(name, section).Texts())
                {
                    used[section].Add(component);
                    var definedIn = section == "processors" ? ["processors"] : new[] { section, "connectors" };
                    if (!definedIn.Any(d => config.At(d).Keys().Contains(component)))
                    {
                        problems.Add($"{file}: pipeline {name} uses {section[..^1]} {component}, which is not defined");
                    }
                }
            }
        }

        foreach (var connector in config.At("connectors").Keys().Where(c => !used["receivers"].Contains(c) || !used["exporters"].Contains(c)))
        {
            problems.Add($"{file}: connector {connector} must be an exporter of one pipeline and a receiver of another");
        }

        foreach (var section in new[] { "receivers", "processors", "exporters" })
        {
            problems.AddRange(config.At(section).Keys().Where(c => !used[section].Contains(c)).Select(c => $"{file}: {section[..^1]} {c} is defined but in no pipeline"));
        }

        var tempo = stack.Tempo.Name;
        var tempoExporters = new List<string>();
        foreach (var name in config.At("exporters").Keys().Where(n => n == "otlp" || n.StartsWith("otlp/", StringComparison.Ordinal)))
        {
            var endpoint = Endpoint.Parse(config.TextAt("exporters", name, "endpoint") ?? throw new InvalidDataException($"{file}: exporter {name} has no endpoint"));
            if (endpoint.Host == tempo)
            {
                tempoExporters.Add(name);
                if (endpoint.Port != stack.TempoOtlpGrpc.Port)
                {
                    problems.Add($"{file}: exporter {name} sends to {endpoint}, but Tempo receives OTLP gRPC on {stack.TempoOtlpGrpc.Port} ({stack.TempoConfigPath})");
                }
            }
            else
            {
                problems.Add($"{file}: exporter {name} sends to {endpoint.Host}, which is not the Tempo service {tempo}");
            }
        }

        if (!pipelines.Keys().Any(p => p.Split('/')[0] == "traces" && pipelines.At(p, "exporters").Texts().Any(tempoExporters.Contains)))
        {
            problems.Add($"{file}: no traces pipeline exports to Tempo");
        }

        if (!pipelines.Keys().Any(p => p.Split('/')[0] == "metrics" && pipelines.At(p, "exporters").Texts().Contains("prometheus")))
        {
            problems.Add($"{file}: no metrics pipeline exports to the prometheus exporter");
        }

        // The dashboard's Prometheus names are the OTel names with dots as underscores: no _total or unit suffixes.
        if (config.TextAt("exporters", "prometheus", "add_metric_suffixes") != "false")
        {
            problems.Add($"{file}: exporters.prometheus.add_metric_suffixes must be false (the dashboard's names have no _total or unit suffixes)");
        }

        // service.name as a service_name label: the Tempo data source's trace-to-metrics links filter by it.
        if (config.TextAt("exporters", "prometheus", "resource_to_telemetry_conversion", "enabled") != "true")
        {
            problems.Add($"{file}: exporters.prometheus.resource_to_telemetry_conversion.enabled must be true (service_name label)");
        }
    });

    /// <summary>Prometheus scrapes the collector's Prometheus exporter, keeping its job/instance labels, and only ports that listen.</summary>
    public static IReadOnlyList<string> Prometheus(ComposeStack stack) => Problems.Collect(problems =>
    {
        var file = stack.PrometheusConfigPath;
        var exporter = new Endpoint(stack.Collector.Name, stack.CollectorPrometheusExporter.Port);
        var scrapesCollector = false;
        foreach (var job in stack.PrometheusConfig.At("scrape_configs").Items())
        {
            var targets = job.At("static_configs").Items().SelectMany(c => c.At("targets").Texts()).Select(Endpoint.Parse).ToList();
            foreach (var target in targets)
            {
                if (!stack.Compose.Services.TryGetValue(target.Host, out var service))
                {
                    problems.Add($"{file}: job {job.TextAt("job_name")} scrapes {target}, but {target.Host} is no service");
                }
                else if (stack.ListeningPorts(service) is { } ports && !ports.Contains(target.Port))
                {
                    problems.Add($"{file}: job {job.TextAt("job_name")} scrapes {target}, but {service.Name} listens on {string.Join(", ", ports.Order())}");
                }
            }

            if (targets.Contains(exporter))
            {
                scrapesCollector = true;
                if (job.TextAt("honor_labels") != "true")
                {
                    problems.Add($"{file}: job {job.TextAt("job_name")} must set honor_labels: true (instance = service.instance.id, one series per node)");
                }
            }
        }

        if (!scrapesCollector)
        {
            problems.Add($"{file}: no job scrapes the collector's Prometheus exporter at {exporter}");
        }
    });

    /// <summary>The collector's spanmetrics connector: its namespace and dimensions (empty when there is none).</summary>
    public static (string? Namespace, IReadOnlyList<string> Dimensions) SpanMetrics(YamlMappingNode collectorConfig)
    {
        var connector = collectorConfig.At("connectors", "spanmetrics");
        return connector is null
            ? (null, [])
            : (connector.TextAt("namespace") ?? "traces.span.metrics", [.. connector.At("dimensions").Items().Select(d => d.TextAt("name")).OfType<string>()]);
    }
}
