using OrleansRaft.Infra.Tests.Checks;
using OrleansRaft.Infra.Tests.Files;

namespace OrleansRaft.Infra.Tests;

/// <summary>infra/compose/compose.yaml against the silo's and gateway's real options and the configs it mounts.</summary>
public sealed class ComposeTests
{
    private readonly ComposeStack stack = new(InfraFiles.Repository());

    [Fact]
    public void Compose_runs_postgres_three_silos_a_gateway_and_the_telemetry_stack()
    {
        Assert.Equal(["silo1", "silo2", "silo3"], stack.Silos.Select(s => s.Name));
        Assert.Equal(["gateway"], stack.Gateways.Select(s => s.Name));
        Assert.Equal("otel-collector", stack.Collector.Name);
        Assert.Equal("tempo", stack.Tempo.Name);
        Assert.Equal("prometheus", stack.Prometheus.Name);
        Assert.Equal("grafana", stack.Grafana.Name);
        Assert.StartsWith("postgres:15", stack.Compose.Services["postgres"].Image, StringComparison.Ordinal);
        Assert.Contains("opentelemetry-collector-contrib", stack.Collector.Image, StringComparison.Ordinal);
    }

    [Fact]
    public void Silos_load_their_options_as_the_silo_does_and_each_peer_address_is_that_silo() =>
        Expect.None(ServiceChecks.Silos(stack));

    [Fact]
    public void The_gateway_loads_its_options_and_knows_the_silos_peers() =>
        Expect.None(ServiceChecks.Gateways(stack));

    [Fact]
    public void Published_and_exposed_ports_are_ports_the_processes_listen_on() =>
        Expect.None(ServiceChecks.Ports(stack));

    [Fact]
    public void Dependencies_volumes_and_stop_timeouts_hold() =>
        Expect.None(ServiceChecks.Lifecycle(stack));

    [Fact]
    public void Silos_and_gateway_export_otlp_http_to_the_collector_under_standard_names() =>
        Expect.None(TelemetryChecks.ProcessEnvironment(stack));

    [Fact]
    public void The_collector_sends_traces_to_tempo_and_metrics_to_its_prometheus_exporter() =>
        Expect.None(TelemetryChecks.Collector(stack));

    [Fact]
    public void Prometheus_scrapes_what_the_collector_exposes() =>
        Expect.None(TelemetryChecks.Prometheus(stack));

    [Fact]
    public void The_silos_listen_where_their_peers_and_the_gateway_look_for_them()
    {
        var silo2 = stack.SiloOptions(stack.Compose.Services["silo2"]).Options;
        Assert.NotNull(silo2);
        Assert.Equal(new Uri("http://silo2:7001"), silo2.ListenAddress);
        Assert.Equal(7001, stack.Compose.Services["silo2"].Ports.Single().ContainerPort);
        Assert.Equal(7002, stack.Compose.Services["silo2"].Ports.Single().HostPort);
        Assert.Equal(silo2.Peers, stack.GatewayOptions(stack.Gateways[0]).Options!.Silos);
    }
}
