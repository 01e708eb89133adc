using OrleansRaft.Infra.Tests.Checks;
using OrleansRaft.Infra.Tests.Files;

namespace OrleansRaft.Infra.Tests;

/// <summary>Grafana's provisioning and the Elections dashboard against the stack.</summary>
public sealed class GrafanaTests
{
    private readonly ComposeStack stack = new(InfraFiles.Repository());

    [Fact]
    public void Data_sources_reach_tempo_and_prometheus_and_link_to_each_other() =>
        Expect.None(GrafanaChecks.Provisioning(stack));

    [Fact]
    public void Grafana_sees_the_dashboards_and_its_home_dashboard() =>
        Expect.None(GrafanaChecks.Service(stack));

    [Fact]
    public void Every_panel_uses_a_provisioned_data_source_and_metric_names_live_in_the_constants() =>
        Expect.None(DashboardChecks.Check(stack));

    [Fact]
    public void The_elections_dashboard_has_fixed_uids_and_a_traceql_table_of_election_spans()
    {
        Assert.Equal(["prometheus", "tempo"], GrafanaChecks.Datasources(stack).Select(d => d.Uid).Order(StringComparer.Ordinal));
        var (file, dashboard) = Assert.Single(GrafanaChecks.Dashboards(stack));
        Assert.EndsWith("elections.json", file, StringComparison.Ordinal);
        Assert.Equal("Elections", dashboard["title"]!.GetValue<string>());
        var tables = dashboard["panels"]!.AsArray().Where(p => p!["type"]!.GetValue<string>() == "table").ToList();
        var target = Assert.Single(tables)!["targets"]![0]!;
        Assert.Equal("traceql", target["queryType"]!.GetValue<string>());
        Assert.Equal("{name=\"raft.election\"}", target["query"]!.GetValue<string>());
        Assert.Equal("tempo", target["datasource"]!["uid"]!.GetValue<string>());
    }

    [Fact]
    public void The_provisional_metric_names_are_the_constants_of_one_dashboard()
    {
        var constants = DashboardChecks.Constants(GrafanaChecks.Dashboards(stack).Single().Dashboard);
        string[] provisional =
        [
            "raft.term", "raft.role", "raft.commit_index", "raft.applied_index", "raft.leader_changes", "raft.elections.started",
            "raft.elections.won", "raft.proposal_queue_depth", "raft.store.commit_latency", "raft.replication_lag", "raft.snapshots",
            "gateway.request.duration",
        ];
        Assert.Subset(constants.Select(c => c.OtelName).ToHashSet(), provisional.ToHashSet());
        Assert.Equal("raft_elections_started", constants.Single(c => c.OtelName == "raft.elections.started").PrometheusName);
    }
}
