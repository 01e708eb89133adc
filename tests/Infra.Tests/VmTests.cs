using OrleansRaft.Grains.Client;
using OrleansRaft.Infra.Tests.Checks;
using OrleansRaft.Infra.Tests.Files;

namespace OrleansRaft.Infra.Tests;

/// <summary>infra/vm: the systemd units and environment files use real options and stop gracefully.</summary>
public sealed class VmTests
{
    private readonly InfraFiles files = InfraFiles.Repository();

    [Fact]
    public void The_silo_unit_and_its_environment_file_use_real_options() =>
        Expect.None(VmChecks.Silo(files));

    [Fact]
    public void The_gateway_unit_and_its_environment_file_use_real_options() =>
        Expect.None(VmChecks.Gateway(files));

    [Fact]
    public void Stop_timeouts_exceed_the_hosts_graceful_stop()
    {
        // Read from the hosts the programs build: the units' margins are checked against these.
        Assert.Equal(TimeSpan.FromSeconds(15), HostShutdown.Silo);
        Assert.Equal(TimeSpan.FromSeconds(10), HostShutdown.Gateway);
    }

    [Fact]
    public void The_main_readme_links_the_vm_guide_from_its_separate_vms_section()
    {
        var readme = files.Read("README.md");
        var section = readme[readme.IndexOf("## Silos on separate VMs", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        Assert.Contains("infra/README.md", section, StringComparison.Ordinal);
        Assert.DoesNotContain("Neither exists yet", files.Read("infra/README.md"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_rolling_restart_script_calls_the_silos_real_transfer_route()
    {
        var script = files.Read("infra/vm/rolling-restart");
        Assert.Contains(ReplicaApi.Transfer(7, 9).Replace("/7/", "/$group/", StringComparison.Ordinal).Replace("to=9", "to=$to", StringComparison.Ordinal), script, StringComparison.Ordinal);
        Assert.Contains("--http2-prior-knowledge", script, StringComparison.Ordinal);
        Assert.Contains("/v1/cluster", script, StringComparison.Ordinal);
    }
}
