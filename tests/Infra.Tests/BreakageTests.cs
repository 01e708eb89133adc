using OrleansRaft.Infra.Tests.Checks;
using OrleansRaft.Infra.Tests.Files;

namespace OrleansRaft.Infra.Tests;

/// <summary>
/// The checks fail on real inconsistencies: each case breaks one reference in a copy of one file (the disk is
/// never touched) and expects the problem it causes, which the unbroken repository does not have.
/// </summary>
public sealed class BreakageTests
{
    private const string Compose = InfraFiles.ComposeFile;
    private const string Collector = "infra/compose/otel-collector/config.yaml";
    private const string Tempo = "infra/compose/tempo/tempo.yaml";
    private const string Prometheus = "infra/compose/prometheus/prometheus.yml";
    private const string Datasources = "infra/compose/grafana/provisioning/datasources/datasources.yaml";
    private const string Dashboard = "infra/compose/grafana/dashboards/elections.json";
    private const string SiloDockerfile = "infra/compose/silo/Dockerfile";
    private const string GatewayDockerfile = "infra/compose/gateway/Dockerfile";
    private const string SiloEnv = "infra/vm/silo.env";
    private const string GatewayEnv = "infra/vm/gateway.env";

    public static TheoryData<string, string, string, string> Breaks => new()
    {
        { Compose, "--node-id=1", "--node=1", "unknown option '--node'" },
        { Compose, "\"127.0.0.1:7002:7001\"", "\"127.0.0.1:7002:7002\"", "silo2 publishes container port 7002, but it listens on 7001" },
        { Compose, "--node-id=3\n      - --peers=1=http://silo1:7001,2=http://silo2:7001,3=http://silo3:7001", "--node-id=3\n      - --peers=1=http://silo1:7001,2=http://silo2:7001,3=http://silo3:7003", "silo service silo3: --peers" },
        { Compose, "--urls=http://0.0.0.0:8080", "--urls=http://0.0.0.0:8081", "gateway publishes container port 8080, but it listens on 8081" },
        { Compose, "--silos=1=http://silo1:7001,", "--silos=1=http://silo9:7001,", "is not the silos' --peers" },
        { Compose, "http://otel-collector:4318", "http://otel-collector:4317", "is not the collector's OTLP/HTTP port 4318" },
        { Compose, "OTEL_SERVICE_NAME: orleansraft-gateway", "OTEL_SERVICE: orleansraft-gateway", "OTEL_SERVICE is not a standard OpenTelemetry variable" },
        { Compose, "service.instance.id=silo2,", "service.instance.id=silo1,", "share service.instance.id silo1" },
        { Compose, "stop_grace_period: 20s", "stop_grace_period: 10s", "is not above the host's shutdown timeout 15s" },
        { Compose, "./otel-collector/config.yaml:/etc/otelcol-contrib/config.yaml:ro", "./otel-collector/config.yml:/etc/otelcol-contrib/config.yaml:ro", "mounts ./otel-collector/config.yml, which does not exist" },
        { Collector, "endpoint: tempo:4317", "endpoint: tempo:4319", "but Tempo receives OTLP gRPC on 4317" },
        { Collector, "exporters: [prometheus]", "exporters: [prometheus/x]", "uses exporter prometheus/x, which is not defined" },
        { Collector, "- name: raft.outcome", "- name: raft.result", "raft.outcome is not a spanmetrics dimension" },
        { Collector, "add_metric_suffixes: false", "add_metric_suffixes: true", "add_metric_suffixes must be false" },
        { Collector, "endpoint: 0.0.0.0:4318", "endpoint: localhost:4318", "listens on localhost only" },
        { Prometheus, "\"otel-collector:8889\"", "\"otel-collector:8890\"", "no job scrapes the collector's Prometheus exporter at otel-collector:8889" },
        { Tempo, "http_listen_port: 3200", "http_listen_port: 3201", "is at http://tempo:3200, but tempo is http://tempo:3201" },
        { Datasources, "uid: tempo", "uid: traces", "data source uid tempo is not provisioned" },
        { Datasources, "{$$__tags}", "{$__tags}", "a single '$' is an environment variable" },
        { Datasources, "rate(traces_span_metrics_calls{", "rate(traces_span_metrics_call{", "uses traces_span_metrics_call, which is none of the dashboard's metric constants" },
        { Dashboard, "\"expr\": \"max by (instance) (${m_proposal_queue_depth}", "\"expr\": \"max by (instance) (raft_proposal_queue_depth", "names raft_proposal_queue_depth directly" },
        { Dashboard, "\"query\": \"raft_store_commit_latency\"", "\"query\": \"raft_store_commit_latency_seconds\"", "is not the Prometheus name of OTel 'raft.store.commit_latency'" },
        { Dashboard, "\"text\": \"leader\"", "\"text\": \"chief\"", "raft.role 3 is Leader, mapped to 'chief'" },
        { Dashboard, "{name=\\\"raft.election\\\"}", "{name=\\\"raft.elect\\\"}", "span name raft.elect is none the instrumentation emits" },
        { Dashboard, "\"uid\": \"prometheus\"", "\"uid\": \"prom\"", "data source uid prom is not provisioned" },
        { Dashboard, "[$__rate_interval]))\",\n          \"legendFormat\": \"started\"", "[$rate_interval]))\",\n          \"legendFormat\": \"started\"", "$rate_interval is no variable of the dashboard" },
        { SiloDockerfile, "\"OrleansRaft.Silo.dll\"", "\"OrleansRaft.Silos.dll\"", "does not run OrleansRaft.Silo.dll" },
        { SiloDockerfile, "COPY src/Grains/ src/Grains/\n", string.Empty, "does not COPY src/Grains/, which src/Silo/Silo.csproj needs" },
        { SiloDockerfile, "EXPOSE 7001", "EXPOSE 7000", "its Dockerfile EXPOSEs 7000, but it listens on 7001" },
        { GatewayDockerfile, "dotnet publish src/Gateway/Gateway.csproj", "dotnet publish src/Gateway/Gateways.csproj", "dotnet publish src/Gateway/Gateways.csproj, which does not exist" },
        { GatewayDockerfile, "aspnet:10.0", "aspnet:9.0", "are not sdk:10.0 then aspnet:10.0" },
        { VmChecks.SiloUnit, "TimeoutStopSec=20s", "TimeoutStopSec=10s", "TimeoutStopSec=10s is not above the host's shutdown timeout 15s" },
        { VmChecks.SiloUnit, "Restart=on-failure", "Restart=always", "Restart= is always, not on-failure" },
        { VmChecks.SiloUnit, "/opt/orleansraft/silo/OrleansRaft.Silo.dll\n", "/opt/orleansraft/silo/OrleansRaft.Silo.dll --node 1\n", "unknown option '--node'" },
        { VmChecks.GatewayUnit, "KillSignal=SIGTERM", "KillSignal=SIGKILL", "KillSignal= is SIGKILL" },
        { VmChecks.GatewayUnit, "EnvironmentFile=/etc/orleansraft/gateway.env", "EnvironmentFile=/etc/orleansraft/gw.env", "has no copy at infra/vm/gw.env" },
        { SiloEnv, "ORLEANSRAFT_HEARTBEAT_MS=30", "ORLEANSRAFT_HEARTBEAT=30", "ORLEANSRAFT_HEARTBEAT is no option" },
        { SiloEnv, "ORLEANSRAFT_ELECTION_TIMEOUT=150-300", "ORLEANSRAFT_ELECTION_TIMEOUT=300-150", "--election-timeout '300-150'" },
        { SiloEnv, ",5=http://silo5.internal:7001\n", "\n", "lists 4 peers; the README's deployment has 5" },
        { GatewayEnv, "5=http://silo5.internal:7001", "5=http://silo5.internal:7002", "are not the silos' peers" },
        { GatewayEnv, "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf", "OTEL_EXPORTER_OTLP_PROTOCOL=grpc", "OTEL_EXPORTER_OTLP_PROTOCOL is grpc" },
    };

    [Fact]
    public void The_repository_as_it_is_has_no_problem() =>
        Expect.None(All(InfraFiles.Repository()));

    [Theory]
    [MemberData(nameof(Breaks))]
    public void A_broken_reference_is_reported(string file, string oldText, string newText, string expected)
    {
        var original = InfraFiles.Repository();
        Assert.Contains(oldText, original.Read(file), StringComparison.Ordinal);
        Assert.DoesNotContain(All(original), p => p.Contains(expected, StringComparison.Ordinal));

        var problems = All(InfraFiles.WithEdit(file, oldText, newText));

        Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)), $"expected a problem containing '{expected}'; got:{Environment.NewLine}{Problems.Describe(problems)}");
    }

    private static List<string> All(InfraFiles files)
    {
        var stack = new ComposeStack(files);
        return
        [
            .. ServiceChecks.Silos(stack), .. ServiceChecks.Gateways(stack), .. ServiceChecks.Ports(stack), .. ServiceChecks.Lifecycle(stack),
            .. TelemetryChecks.ProcessEnvironment(stack), .. TelemetryChecks.Collector(stack), .. TelemetryChecks.Prometheus(stack),
            .. GrafanaChecks.Provisioning(stack), .. GrafanaChecks.Service(stack), .. DashboardChecks.Check(stack),
            .. DockerfileChecks.Check(stack), .. VmChecks.Silo(files), .. VmChecks.Gateway(files),
        ];
    }
}
