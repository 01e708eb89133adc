using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Storage;
using OrleansRaft.Raft.Tests.Harness;
using OrleansRaft.Raft.Tracking;

namespace OrleansRaft.Raft.Tests;

/// <summary>
/// The leader's side of log compaction (§7): a follower that needs compacted entries gets the snapshot, and its
/// progress sits in snapshot state meanwhile. After etcd's raft_snap_test.go and TestProvideSnap,
/// TestIgnoreProvidingSnap and TestSlowNodeRestore of raft_test.go. Node 1 starts from a snapshot at 11@11 of voters
/// {1, 2} and leads term 12 with its no-op at 12; node 2 has an empty log.
/// </summary>
public sealed class SnapshotTests
{
    private static readonly Configuration TwoVoters = new([1, 2], []);

    [Fact]
    public void FollowerBehindTheCompactedLog_GetsTheSnapshot_AndItsProgressRecordsItAsPending()
    {
        var leader = LeaderFromSnapshot();

        var sent = RejectDownToZero(leader);

        var chunk = Assert.IsType<InstallSnapshotRequest>(Assert.Single(sent));
        Assert.Equal((11L, 11L, 0L, true), (chunk.SnapshotIndex, chunk.SnapshotTerm, chunk.Offset, chunk.Done));
        Assert.Equal(TwoVoters, chunk.Configuration);
        var pr = leader.Node.ProgressOf(2)!;
        Assert.Equal(ProgressState.Snapshot, pr.State);
        Assert.Equal(11, pr.PendingSnapshot!.Index);
        Assert.Equal(11, leader.Node.Status().Followers[2].PendingSnapshot);
    }

    [Fact]
    public void PendingSnapshot_PausesReplication()
    {
        var leader = LeaderFromSnapshot();
        RejectDownToZero(leader);

        Assert.True(leader.Node.Propose(new byte[] { 1 }).Accepted);
        var sent = leader.HandleReadies();

        Assert.DoesNotContain(sent, m => m is AppendRequest);
    }

    [Fact]
    public void HeartbeatsKeepFlowing_ToAFollowerInSnapshotState()
    {
        var leader = LeaderFromSnapshot();
        RejectDownToZero(leader);

        leader.Node.Tick();
        var sent = leader.HandleReadies();

        var heartbeat = Assert.IsType<HeartbeatRequest>(Assert.Single(sent));
        Assert.Equal((2L, 0L), (heartbeat.To, heartbeat.Commit)); // never a commit index beyond what it holds
    }

    [Fact]
    public void SnapshotFailure_ForgetsThePendingSnapshot_AndProbesFromTheMatchIndexAfterTheNextHeartbeat()
    {
        var leader = LeaderFromSnapshot();
        RejectDownToZero(leader);

        leader.Node.ReportSnapshot(2, SnapshotStatus.Failure);

        var pr = leader.Node.ProgressOf(2)!;
        Assert.Null(pr.PendingSnapshot);
        Assert.Equal((ProgressState.Probe, 1L), (pr.State, pr.Next));
        Assert.True(pr.IsPaused);

        // The follower answers a heartbeat: the probe goes out, finds the entries compacted, and a fresh snapshot starts.
        var sent = leader.Step(new HeartbeatResponse(2, 1, 12, 0));
        var chunk = Assert.IsType<InstallSnapshotRequest>(Assert.Single(sent));
        Assert.Equal(0, chunk.Offset);
    }

    [Fact]
    public void SnapshotSucceed_ProbesFromJustAfterTheSnapshot_AfterTheNextHeartbeat()
    {
        var leader = LeaderFromSnapshot();
        RejectDownToZero(leader);

        leader.Node.ReportSnapshot(2, SnapshotStatus.Finish);

        var pr = leader.Node.ProgressOf(2)!;
        Assert.Null(pr.PendingSnapshot);
        Assert.Equal((ProgressState.Probe, 12L), (pr.State, pr.Next));
        Assert.True(pr.IsPaused);
        Assert.Empty(leader.HandleReadies());
    }

    [Fact]
    public void SuccessfulAppendResponse_AtOrBeyondThePendingSnapshot_AbortsIt()
    {
        var leader = LeaderFromSnapshot();
        RejectDownToZero(leader);

        var sent = leader.Step(new AppendResponse(2, 1, 12, Success: true, Index: 11, HintIndex: 0, HintTerm: 0));

        var pr = leader.Node.ProgressOf(2)!;
        Assert.Null(pr.PendingSnapshot);
        Assert.Equal(ProgressState.Replicate, pr.State);
        // In replicate state the leader sent its no-op at 12 and optimistically moved next past it.
        Assert.Equal(13, pr.Next);
        Assert.Equal(1, pr.Inflights.Count);
        Assert.Contains(sent, m => m is AppendRequest { To: 2, PrevLogIndex: 11 } a && a.Entries.Length == 1);
    }

    [Fact]
    public void CompactedEntries_AreNotSentToAFollowerNotRecentlyActive()
    {
        var leader = LeaderFromSnapshot();
        var pr = leader.Node.ProgressOf(2)!;
        pr.Next = leader.Node.FirstIndex - 1;
        pr.ProbeSent = false;
        pr.RecentActive = false;

        Assert.True(leader.Node.Propose(new byte[] { 1 }).Accepted);
        var sent = leader.HandleReadies();

        Assert.Empty(sent);
        Assert.NotEqual(ProgressState.Snapshot, pr.State);
    }

    [Fact]
    public void SlowNode_IsRestoredFromTheLeadersSnapshot()
    {
        var net = Network.Create(3, seed: 71);
        net.Campaign(1);
        net.Isolate(3);
        for (var i = 0; i <= 100; i++)
        {
            net[1].Propose(new[] { (byte)i });
        }

        net.Deliver();
        var leader = net.Peer(1);
        leader.Compact(data: [42]);
        Assert.Equal(leader.Node.AppliedIndex + 1, leader.Node.FirstIndex);

        net.Recover();
        net.TickUntil(() => net[1].ProgressOf(3)!.RecentActive, 10, [1]);
        net[1].Propose(new byte[] { 1 });
        net.Deliver();
        net[1].Propose(new byte[] { 2 });
        net.Deliver();

        var follower = net.Peer(3);
        Assert.Equal(net[1].CommitIndex, follower.Node.CommitIndex);
        var installed = Assert.Single(follower.Installed);
        Assert.Equal(leader.Storage.Snapshot!.Index, installed.Index);
        Assert.Equal(new byte[] { 42 }, installed.Data.ToArray());
        Assert.Equal(installed.Index, follower.Storage.FirstIndex - 1);
        Assert.Equal(Logs.Describe(leader.Storage), Logs.Describe(follower.Storage));
        Assert.Equal(net[1].CommitIndex, follower.Applied[^1].Index);
    }

    [Fact]
    public void CompactedLeader_KeepsReplicatingToFollowersInStep()
    {
        var net = Network.Create(3, seed: 72);
        net.Campaign(1);
        for (var i = 0; i < 5; i++)
        {
            net[1].Propose(new[] { (byte)i });
            net.Deliver();
        }

        net.Peer(1).Compact();
        net[1].Propose(new byte[] { 9 });
        net.Deliver();

        Assert.DoesNotContain(net.Sent, m => m is InstallSnapshotRequest);
        Assert.All(net.Peers, p => Assert.Equal(8, p.Node.CommitIndex));
    }

    [Fact]
    public void SnapshotOverlappedByAFurtherCompaction_IsFollowedByTheNewerSnapshot()
    {
        var net = Network.Create(3, seed: 73);
        net.Campaign(1);
        net.Isolate(3);
        Propose(net, 10);
        net.Peer(1).Compact(data: [1]);
        var first = net.Peer(1).Storage.Snapshot!;

        // Node 3 is back, but the leader's answers to it are held up until the leader compacted again.
        net.Recover();
        net.DropWhere(m => m is InstallSnapshotRequest { To: 3 });
        net.TickUntil(() => net[1].ProgressOf(3)!.State == ProgressState.Snapshot, 20, [1]);
        Assert.Same(first, net[1].ProgressOf(3)!.PendingSnapshot);
        Propose(net, 10);
        net.Peer(1).Compact(data: [2]);
        var second = net.Peer(1).Storage.Snapshot!;

        net.Recover();
        net.TickUntil(() => net[3].CommitIndex == net[1].CommitIndex, 50, [1]);

        Assert.Equal([first.Index, second.Index], net.Peer(3).Installed.Select(s => s.Index));
        Assert.Equal(ProgressState.Replicate, net[1].ProgressOf(3)!.State);
    }

    private static void Propose(Network net, int count)
    {
        for (var i = 0; i < count; i++)
        {
            net[1].Propose(new[] { (byte)i });
        }

        net.Deliver();
    }

    /// <summary>Node 2 rejects the leader's first append, naming an empty log: its next index falls to 1.</summary>
    private static List<RaftMessage> RejectDownToZero(Peer leader) =>
        leader.Step(new AppendResponse(2, 1, 12, Success: false, Index: 11, HintIndex: 0, HintTerm: 0));

    /// <summary>Node 1 over a log compacted into a snapshot at 11@11 of voters {1, 2}, elected with node 2's vote.</summary>
    internal static Peer LeaderFromSnapshot(byte[]? data = null, Func<RaftOptions, RaftOptions>? configure = null)
    {
        var storage = new MemoryStorage();
        storage.ApplySnapshot(new Snapshot(11, 11, TwoVoters, data ?? []));
        storage.SetHardState(new HardState(11, RaftNode.None, 11));
        var peer = Peer.Create(1, storage, Configure.All(Configure.Basic, configure ?? (o => o)));
        peer.HandleReadies();
        peer.Node.Campaign();
        peer.HandleReadies();
        peer.Step(new VoteResponse(2, 1, 12, PreVote: false, Granted: true));
        Assert.Equal((Role.Leader, 12L, 12L), (peer.Node.Role, peer.Node.Term, peer.Node.LastIndex));
        return peer;
    }
}
