using OrleansRaft.Gateway.Configuration;
using OrleansRaft.Infra.Tests.Compose;
using OrleansRaft.Infra.Tests.Docker;
using OrleansRaft.Infra.Tests.Files;
using OrleansRaft.Infra.Tests.Yaml;
using OrleansRaft.Silo;
using YamlDotNet.RepresentationModel;

namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>
/// compose.yaml read as a deployment: which service runs which program, the config files each one mounts, and
/// the ports each one really listens on (from the silo and gateway options, and from the configs).
/// </summary>
public sealed class ComposeStack(InfraFiles files)
{
    public const int PrometheusDefaultPort = 9090;
    public const int GrafanaDefaultPort = 3000;
    public const int PostgresDefaultPort = 5432;
    public const int TempoDefaultHttpPort = 3200;
    public const int TempoDefaultGrpcPort = 9095;

    private readonly Dictionary<string, (SiloOptions? Options, IReadOnlyList<string> Errors)> silos = [];
    private readonly Dictionary<string, (GatewayOptions? Options, IReadOnlyList<string> Errors)> gateways = [];

    public InfraFiles Files { get; } = files;

    public ComposeProject Compose => Files.Compose;

    /// <summary>Services whose image runs the silo: its Dockerfile's ENTRYPOINT is the silo's dll.</summary>
    public IReadOnlyList<ComposeService> Silos => [.. Compose.Services.Values.Where(s => Runs(s, Programs.SiloDll)).OrderBy(s => s.Name, StringComparer.Ordinal)];

    public IReadOnlyList<ComposeService> Gateways => [.. Compose.Services.Values.Where(s => Runs(s, Programs.GatewayDll)).OrderBy(s => s.Name, StringComparer.Ordinal)];

    public ComposeService Collector => Single("opentelemetry-collector");

    public ComposeService Tempo => Single("grafana/tempo");

    public ComposeService Prometheus => Single("prom/prometheus");

    public ComposeService Grafana => Single("grafana/grafana");

    public string CollectorConfigPath => ConfigPath(Collector, "--config");

    public string TempoConfigPath => ConfigPath(Tempo, "-config.file");

    public string PrometheusConfigPath => ConfigPath(Prometheus, "--config.file");

    public YamlMappingNode CollectorConfig => Files.ReadYaml(CollectorConfigPath);

    public YamlMappingNode TempoConfig => Files.ReadYaml(TempoConfigPath);

    public YamlMappingNode PrometheusConfig => Files.ReadYaml(PrometheusConfigPath);

    public Endpoint CollectorOtlpGrpc => Endpoint.Parse(CollectorConfig.TextAt("receivers", "otlp", "protocols", "grpc", "endpoint") ?? throw Missing(CollectorConfigPath, "receivers.otlp.protocols.grpc.endpoint"));

    public Endpoint CollectorOtlpHttp => Endpoint.Parse(CollectorConfig.TextAt("receivers", "otlp", "protocols", "http", "endpoint") ?? throw Missing(CollectorConfigPath, "receivers.otlp.protocols.http.endpoint"));

    public Endpoint CollectorPrometheusExporter => Endpoint.Parse(CollectorConfig.TextAt("exporters", "prometheus", "endpoint") ?? throw Missing(CollectorConfigPath, "exporters.prometheus.endpoint"));

    public Endpoint TempoOtlpGrpc => Endpoint.Parse(TempoConfig.TextAt("distributor", "receivers", "otlp", "protocols", "grpc", "endpoint") ?? throw Missing(TempoConfigPath, "distributor.receivers.otlp.protocols.grpc.endpoint"));

    public int TempoHttpPort => TempoConfig.TextAt("server", "http_listen_port") is { } port ? int.Parse(port, CultureInfo.InvariantCulture) : TempoDefaultHttpPort;

    /// <summary>The silo's options as the service's command line and environment give them (errors when they do not load).</summary>
    public (SiloOptions? Options, IReadOnlyList<string> Errors) SiloOptions(ComposeService service)
    {
        if (!silos.TryGetValue(service.Name, out var loaded))
        {
            silos[service.Name] = loaded = Programs.LoadSilo(service.Command, service.Environment);
        }

        return loaded;
    }

    public (GatewayOptions? Options, IReadOnlyList<string> Errors) GatewayOptions(ComposeService service)
    {
        if (!gateways.TryGetValue(service.Name, out var loaded))
        {
            gateways[service.Name] = loaded = Programs.LoadGateway(service.Command, service.Environment);
        }

        return loaded;
    }

    /// <summary>The repository-relative path of the Dockerfile a service is built from; null for a pulled image.</summary>
    public string? DockerfilePath(ComposeService service) =>
        service is { BuildContext: { } context, Dockerfile: { } dockerfile }
            ? Files.Canonical(Path.Combine(Files.FromComposeDirectory(context), dockerfile))
            : null;

    public Dockerfile? DockerfileOf(ComposeService service) =>
        DockerfilePath(service) is { } path && Files.Exists(path) ? Dockerfile.Parse(Files.Read(path)) : null;

    /// <summary>The repository-relative source of the bind mount that puts a file at <paramref name="containerPath"/>.</summary>
    public string MountedFile(ComposeService service, string containerPath)
    {
        var mount = service.Volumes.FirstOrDefault(v => v.IsBind && v.Target == containerPath)
            ?? service.Volumes.Where(v => v.IsBind && containerPath.StartsWith(v.Target.TrimEnd('/') + "/", StringComparison.Ordinal))
                .Select(v => v with { Source = v.Source.TrimEnd('/') + containerPath[v.Target.TrimEnd('/').Length..], Target = containerPath })
                .FirstOrDefault()
            ?? throw new InvalidDataException($"service {service.Name}: nothing is mounted at {containerPath}");
        return Files.FromComposeDirectory(mount.Source);
    }

    /// <summary>
    /// The ports a service's process listens on inside its container, from its real options or config; null
    /// when the checks have no rule for the service (a new kind of service needs one).
    /// </summary>
    public IReadOnlySet<int>? ListeningPorts(ComposeService service)
    {
        if (Runs(service, Programs.SiloDll))
        {
            return SiloOptions(service).Options is { } silo ? new HashSet<int> { silo.ListenAddress.Port } : new HashSet<int>();
        }

        if (Runs(service, Programs.GatewayDll))
        {
            return GatewayOptions(service).Options is { } gateway ? gateway.Urls.Concat(gateway.H2Urls).Select(u => u.Port).ToHashSet() : new HashSet<int>();
        }

        if (service.BuildContext is null && service.Entrypoint.Count > 0)
        {
            return new HashSet<int>(); // a one-shot helper such as tempo-init
        }

        var image = service.Image ?? string.Empty;
        if (image.Contains("opentelemetry-collector", StringComparison.Ordinal))
        {
            var ports = new HashSet<int> { CollectorOtlpGrpc.Port, CollectorOtlpHttp.Port, CollectorPrometheusExporter.Port };
            if (CollectorConfig.TextAt("extensions", "health_check", "endpoint") is { } health)
            {
                ports.Add(Endpoint.Parse(health).Port);
            }

            return ports;
        }

        if (image.Contains("grafana/tempo", StringComparison.Ordinal))
        {
            var grpc = TempoConfig.TextAt("server", "grpc_listen_port") is { } port ? int.Parse(port, CultureInfo.InvariantCulture) : TempoDefaultGrpcPort;
            var ports = new HashSet<int> { TempoHttpPort, grpc, TempoOtlpGrpc.Port };
            if (TempoConfig.TextAt("distributor", "receivers", "otlp", "protocols", "http", "endpoint") is { } http)
            {
                ports.Add(Endpoint.Parse(http).Port);
            }

            return ports;
        }

        if (image.Contains("prom/prometheus", StringComparison.Ordinal))
        {
            return new HashSet<int> { Argument(service.Command, "--web.listen-address") is { } listen ? Endpoint.Parse(listen).Port : PrometheusDefaultPort };
        }

        if (image.Contains("grafana/grafana", StringComparison.Ordinal))
        {
            return new HashSet<int> { service.Environment.TryGetValue("GF_SERVER_HTTP_PORT", out var port) ? int.Parse(port, CultureInfo.InvariantCulture) : GrafanaDefaultPort };
        }

        if (image.StartsWith("postgres:", StringComparison.Ordinal))
        {
            return new HashSet<int> { PostgresDefaultPort };
        }

        return null;
    }

    /// <summary>The value of <c>name=value</c> or <c>name value</c> in a command line; null when absent.</summary>
    public static string? Argument(IReadOnlyList<string> command, string name)
    {
        for (var i = 0; i < command.Count; i++)
        {
            if (command[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                return command[i][(name.Length + 1)..];
            }

            if (command[i] == name && i + 1 < command.Count)
            {
                return command[i + 1];
            }
        }

        return null;
    }

    private static InvalidDataException Missing(string file, string path) => new($"{file}: {path} is not set");

    private bool Runs(ComposeService service, string dll) =>
        DockerfileOf(service)?.Entrypoint is [.., var last] && last == dll;

    private string ConfigPath(ComposeService service, string flag) =>
        Argument(service.Command, flag) is { } path
            ? MountedFile(service, path)
            : throw new InvalidDataException($"service {service.Name}: its command has no {flag}");

    private ComposeService Single(string imageFragment) => Compose.WithImage(imageFragment) switch
    {
        [var one] => one,
        // Tempo's init container shares its image: the one with a config file is the server.
        var many when many.Count(s => s.Entrypoint.Count == 0) == 1 => many.Single(s => s.Entrypoint.Count == 0),
        var other => throw new InvalidDataException($"compose.yaml: expected one {imageFragment} service, found {other.Count}"),
    };
}
