using System.Text;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Testing.Processes;
using Xunit.Abstractions;

namespace OrleansRaft.Grains.Tests.Processes;

/// <summary>The process helpers themselves, on in-memory silos: freeze, thaw, graceful stop, restart.</summary>
public sealed class SiloProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_paused_leader_is_replaced_and_rejoins_and_SIGTERM_stops_a_silo_cleanly()
    {
        await using var cluster = await SiloProcessCluster.StartAsync(new SiloProcessClusterOptions { LogDirectory = ProcessLogFolder.Create(nameof(SiloProcessTests)) });
        output.WriteLine($"silo logs in {cluster.LogDirectory}");
        var leader = await cluster.FindLeaderAsync(Deadline);
        var client = new ClusterKvClient(cluster, TimeSpan.FromSeconds(2));
        using var deadline = new CancellationTokenSource(Deadline);
        Assert.Equal(KvStatus.Ok, (await client.CallAsync((r, t) => r.Put("a", "1"u8.ToArray(), new ClientRequest("helpers", 1, 1), t), deadline.Token)).Status);

        // SIGSTOP: the frozen leader stops answering, the others elect a new one.
        leader.Pause();
        Assert.True(leader.IsPaused && leader.IsRunning);
        var next = await cluster.FindLeaderAsync(Deadline);
        Assert.NotEqual(leader.NodeId, next.NodeId);
        output.WriteLine($"node {leader.NodeId} paused; node {next.NodeId} leads");
        Assert.Equal(KvStatus.Ok, (await client.CallAsync((r, t) => r.Put("b", "2"u8.ToArray(), new ClientRequest("helpers", 2, 2), t), deadline.Token)).Status);

        // SIGCONT: it follows again and catches up.
        leader.Resume();
        Assert.False(leader.IsPaused);
        var statuses = await cluster.WaitForAppliedAsync(0, Deadline);
        output.WriteLine(cluster.Describe(statuses.ToDictionary(s => s.NodeId, s => (ReplicaStatus?)s)));
        var read = await leader.Client.Get("b", ReadConsistency.Stale, deadline.Token);
        Assert.Equal("2", Encoding.UTF8.GetString(read.Value ?? []));

        // SIGTERM: a graceful stop exits 0; a restart serves again on the same address.
        Assert.Equal(0, await leader.StopAsync());
        Assert.False(leader.IsRunning);
        Assert.Null(await leader.TryStatusAsync(TimeSpan.FromSeconds(1)));
        await leader.RestartAsync();
        Assert.Equal(2, leader.Starts);
        Assert.NotNull(await leader.TryStatusAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("==== SIGTERM", await File.ReadAllTextAsync(leader.LogPath), StringComparison.Ordinal);
    }
}
