using OrleansRaft.Grains.Kv;
using OrleansRaft.Grains.Telemetry;
using OrleansRaft.Testing.Cluster;
using OrleansRaft.Testing.Telemetry;

namespace OrleansRaft.Grains.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class ReplicaMetricsTests
{
    [Fact]
    public async Task Elections_leader_changes_indexes_store_commits_and_follower_lag_are_measured()
    {
        using var metrics = new MetricRecorder(RaftTelemetry.ReplicaMeterName);
        await using var cluster = await TestCluster.StartAsync();
        var leaderId = await cluster.WaitForLeaderAsync();
        var leader = cluster.Replica(leaderId);
        long lastIndex = 0;
        for (var i = 0; i < 5; i++)
        {
            var put = await cluster.RunAsync(leader.Put($"k{i}", "v"u8.ToArray(), null, CancellationToken.None));
            Assert.Equal(KvStatus.Ok, put.Status);
            lastIndex = put.Index;
        }

        // A few ticks with the listener on: the leader publishes its followers' lag once a tick.
        await cluster.AdvanceAsync(TimeSpan.FromMilliseconds(50));
        var status = await cluster.RunAsync(leader.Status(CancellationToken.None));
        metrics.Collect();

        var started = metrics.Named(RaftTelemetry.ElectionsStartedMetric);
        Assert.Contains(started, m => m.Tag(RaftTelemetry.NodeAttribute) == leaderId && m.TagText(RaftTelemetry.ReasonAttribute) == RaftTelemetry.ElectionTimeoutReason);
        Assert.Contains(metrics.Named(RaftTelemetry.ElectionsWonMetric), m => m.Tag(RaftTelemetry.NodeAttribute) == leaderId && m.Tag(RaftTelemetry.GroupAttribute) == 1);
        foreach (var node in cluster.NodeIds)
        {
            // Every replica learned of the leader once.
            Assert.Contains(metrics.Named(RaftTelemetry.LeaderChangesMetric), m => m.Tag(RaftTelemetry.NodeAttribute) == node && m.Value == 1);
            Assert.Contains(metrics.Named(RaftTelemetry.TermMetric), m => m.Tag(RaftTelemetry.NodeAttribute) == node && m.Value == status.Term);
            Assert.Contains(metrics.Named(RaftTelemetry.CommitIndexMetric), m => m.Tag(RaftTelemetry.NodeAttribute) == node && m.Value >= lastIndex);
            Assert.Contains(metrics.Named(RaftTelemetry.AppliedIndexMetric), m => m.Tag(RaftTelemetry.NodeAttribute) == node && m.Value >= lastIndex);
            Assert.Contains(metrics.Named(RaftTelemetry.StoreCommitDurationMetric), m => m.Tag(RaftTelemetry.NodeAttribute) == node && m.Value >= 0);
            Assert.Contains(metrics.Named(RaftTelemetry.RoleMetric), m => m.Tag(RaftTelemetry.NodeAttribute) == node && m.Value == (node == leaderId ? 3 : 0));
        }

        Assert.Contains(metrics.Named(RaftTelemetry.ProposalsPendingMetric), m => m.Tag(RaftTelemetry.NodeAttribute) == leaderId && m.Value == 0);
        Assert.Contains(metrics.Named(RaftTelemetry.RequestsQueuedMetric), m => m.Tag(RaftTelemetry.NodeAttribute) == leaderId && m.Value == 0);
        var lags = metrics.Named(RaftTelemetry.FollowerLagMetric).Where(m => m.Tag(RaftTelemetry.NodeAttribute) == leaderId).ToList();
        Assert.Equal(cluster.NodeIds.Where(id => id != leaderId).Order(), lags.Select(m => m.Tag(RaftTelemetry.FollowerAttribute)!.Value).Order());
        Assert.All(lags, m => Assert.Equal(0, m.Value));
    }

    [Fact]
    public async Task A_crashed_leader_shows_as_lag_then_a_new_leader_counts_a_change()
    {
        using var metrics = new MetricRecorder(RaftTelemetry.ReplicaMeterName);
        await using var cluster = await TestCluster.StartAsync();
        var leaderId = await cluster.WaitForLeaderAsync();
        var follower = cluster.NodeIds.First(id => id != leaderId);
        await cluster.CrashAsync(follower);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(KvStatus.Ok, (await cluster.RunAsync(cluster.Replica(leaderId).Put($"k{i}", "v"u8.ToArray(), null, CancellationToken.None))).Status);
        }

        await cluster.AdvanceAsync(TimeSpan.FromMilliseconds(20));
        metrics.Collect();
        var lag = metrics.Named(RaftTelemetry.FollowerLagMetric).Last(m => m.Tag(RaftTelemetry.NodeAttribute) == leaderId && m.Tag(RaftTelemetry.FollowerAttribute) == follower);
        Assert.True(lag.Value >= 3, $"the crashed follower misses the 3 writes: {lag}");

        await cluster.RestartAsync(follower);
        await cluster.CrashAsync(leaderId);
        var next = await cluster.WaitForLeaderAsync();
        Assert.Contains(metrics.Named(RaftTelemetry.LeaderChangesMetric), m => m.Tag(RaftTelemetry.NodeAttribute) == next);
        Assert.True(metrics.Named(RaftTelemetry.LeaderChangesMetric).Count(m => m.Tag(RaftTelemetry.NodeAttribute) == next) >= 2, "the new leader learned of the old one, then of itself");
    }
}
