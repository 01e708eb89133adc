using OrleansRaft.Testing.Cluster;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Kv;

/// <summary>6.5840 kvraft's checks on what each server persists (its LogSize and SnapshotSize), read from the replicas' stores.</summary>
public static class KvRaftState
{
    /// <summary>
    /// 6.5840 fails a server whose raft state exceeds 8 × maxraftstate bytes. Here the knob counts entries
    /// (<see cref="TestClusterOptions.SnapshotEntries"/>), so the bound counts them too: a replica snapshots once that
    /// many entries were applied since its last snapshot and, with no trailing entries, cuts its log up to it, so once
    /// the clients' requests are applied it holds fewer than SnapshotEntries entries. The lab's factor of 8 leaves the
    /// same slack for a snapshot still being written and for entries not yet committed. A server that never compacted
    /// exceeds it after 8 × SnapshotEntries writes, which every test using it does several times over.
    /// </summary>
    public const int Slack = 8;

    /// <summary>logs were not trimmed: every server's stored log holds at most <see cref="Slack"/> × <paramref name="snapshotEntries"/> entries.</summary>
    public static void AssertTrimmed(TestCluster cluster, long snapshotEntries, string replay, ITestOutputHelper output)
    {
        Describe(cluster, output);
        foreach (var node in cluster.NodeIds)
        {
            var stored = cluster.RecordedLog(node);
            Assert.True(
                stored.RetainedEntries <= Slack * snapshotEntries,
                $"node {node}: log was not trimmed: {stored.RetainedEntries} entries stored from {stored.FirstIndex} > {Slack} x {snapshotEntries}; {replay}");
        }
    }

    /// <summary>With snapshots off (6.5840's maxraftstate -1) no server may have stored one.</summary>
    public static void AssertNoSnapshots(TestCluster cluster, string replay)
    {
        foreach (var node in cluster.NodeIds)
        {
            var stored = cluster.RecordedLog(node);
            Assert.True(stored.SnapshotIndex == 0, $"node {node} stored a snapshot at {stored.SnapshotIndex} ({stored.SnapshotBytes} bytes) with snapshots off; {replay}");
        }
    }

    /// <summary>
    /// Every server, just restarted, loaded a snapshot: its log before it is gone, so the state machine it serves
    /// can only have come from the snapshot.
    /// </summary>
    public static void AssertRestoredFromSnapshots(TestCluster cluster, string replay)
    {
        foreach (var node in cluster.NodeIds)
        {
            var stored = cluster.RecordedLog(node);
            Assert.True(stored.LoadedSnapshotIndex > 0, $"node {node} restarted without a snapshot (its store has the log from {stored.FirstIndex}); {replay}");
        }
    }

    private static void Describe(TestCluster cluster, ITestOutputHelper output)
    {
        foreach (var node in cluster.NodeIds)
        {
            var stored = cluster.RecordedLog(node);
            output.WriteLine(
                $"node {node}: {stored.RetainedEntries} entries ({stored.RetainedBytes} bytes) stored from {stored.FirstIndex}, " +
                $"snapshot at {stored.SnapshotIndex} ({stored.SnapshotBytes} bytes), {stored.Installs} installed");
        }
    }
}
