using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Storage;
using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>
/// Log compaction from the host's side (§7): the host snapshots at its applied index and compacts its storage; the
/// core reads the compacted log, restarts from a snapshot, and keeps the snapshot's term and configuration as
/// those of the compacted prefix.
/// </summary>
public sealed class CompactionTests
{
    private static readonly Configuration ThreeVoters = new([1, 2, 3], []);

    [Fact]
    public void RestartFromASnapshotOnlyStorage_StartsAtTheSnapshot()
    {
        var storage = SnapshotOnly(index: 11, term: 4, commit: 11);

        var peer = Peer.Create(1, storage);

        var node = peer.Node;
        Assert.Equal((12L, 11L), (node.FirstIndex, node.LastIndex));
        Assert.Equal((11L, 11L), (node.CommitIndex, node.AppliedIndex));
        Assert.True(node.TryGetTerm(11, out var term) && term == 4);
        Assert.False(node.TryGetTerm(10, out _));
        Assert.Equal(ThreeVoters, node.Configuration);
        Assert.Equal(ThreeVoters, node.AppliedConfiguration);
        peer.HandleReadies();
        Assert.Empty(peer.Applied);
        Assert.Empty(peer.Installed); // the host restored its state machine from storage; nothing to install again
    }

    [Fact]
    public void RestartWithACommitIndexBehindTheSnapshot_CommitsTheSnapshot()
    {
        // A host need not write commit-only changes, so the durable commit index may lag a snapshot it took.
        var peer = Peer.Create(1, SnapshotOnly(index: 11, term: 4, commit: 5));

        Assert.Equal((11L, 11L), (peer.Node.CommitIndex, peer.Node.AppliedIndex));
    }

    [Fact]
    public void RestartAfterCompaction_AppliesOnlyTheEntriesAfterTheSnapshot_AndKeepsItsConfiguration()
    {
        var net = Network.Create(3, seed: 81);
        net.Campaign(1);
        Propose(net, 5); // entries 3..7
        var peer = net.Peer(2);
        peer.Compact(compactTo: 4, data: [4]); // snapshot at the applied index 7, tail from 5 kept
        Assert.Equal((5L, 7L), (peer.Storage.FirstIndex, peer.Storage.Snapshot!.Index));

        peer.Restart(o => o with { Applied = 0 }); // a host whose state machine is restored from the snapshot

        Assert.Equal((7L, 7L), (peer.Node.AppliedIndex, peer.Node.CommitIndex));
        Assert.Equal(ThreeVoters, peer.Node.Configuration); // entry 1 is compacted; the snapshot carries it
        Propose(net, 1);
        Assert.Equal(8L, peer.Applied[^1].Index);
        Assert.Equal(8, peer.Node.AppliedIndex);
    }

    [Fact]
    public void AppliedConfiguration_IsTheConfigurationOfTheLastAppliedConfigurationEntry()
    {
        var peer = Peer.Founding(1, ThreeVoters.Voters);
        Assert.Equal(Configuration.Empty, peer.Node.AppliedConfiguration); // entry 1 is committed, not yet applied

        peer.HandleReadies();

        Assert.Equal(ThreeVoters, peer.Node.AppliedConfiguration);
    }

    [Theory]
    [InlineData(11, 4, true)] // the same last entry
    [InlineData(12, 4, true)] // longer, same last term
    [InlineData(5, 5, true)] // a later last term wins whatever the length
    [InlineData(10, 4, false)] // shorter
    [InlineData(20, 3, false)] // longer but an earlier last term
    public void VoteRestriction_UsesTheSnapshotsTermWhenTheLogIsEmpty(long lastIndex, long lastTerm, bool granted)
    {
        var peer = Peer.Create(1, SnapshotOnly(index: 11, term: 4, commit: 11), Configure.Basic);

        var response = Assert.IsType<VoteResponse>(Assert.Single(peer.Step(new VoteRequest(2, 1, 6, lastIndex, lastTerm, PreVote: false, Transfer: false))));

        Assert.Equal(granted, response.Granted); // §5.4.1
    }

    [Fact]
    public void Candidate_WithASnapshotOnlyLog_AsksForVotesWithTheSnapshotsIndexAndTerm()
    {
        var peer = Peer.Create(1, SnapshotOnly(index: 11, term: 4, commit: 11), Configure.Basic);

        peer.Node.Campaign();
        var requests = peer.HandleReadies().OfType<VoteRequest>().ToList();

        Assert.Equal([2L, 3L], requests.Select(r => r.To));
        Assert.All(requests, r => Assert.Equal((5L, 11L, 4L), (r.Term, r.LastLogIndex, r.LastLogTerm)));
    }

    [Fact]
    public void LeaderFromASnapshotOnlyLog_AppendsAfterIt_AndCommitsThroughItsFollowers()
    {
        var net = Network.Create(3, seed: 82);
        net.Campaign(1);
        Propose(net, 3);
        foreach (var peer in net.Peers)
        {
            peer.Compact();
        }

        Assert.True(net[1].TransferLeadership(2)); // an election between logs that are all snapshot (§5.4.1)
        net.Deliver();

        Assert.Equal(Role.Leader, net[2].Role);
        Propose(net, 2, leader: 2);
        Assert.All(net.Peers, p => Assert.Equal(net[2].LastIndex, p.Node.CommitIndex));
        Assert.DoesNotContain(net.Sent, m => m is InstallSnapshotRequest);
    }

    [Fact]
    public void CompactedFollower_AnswersAnAppendBelowItsFirstIndex_WithItsCommitIndex()
    {
        var peer = Peer.Create(1, SnapshotOnly(index: 11, term: 4, commit: 11));
        peer.HandleReadies();

        var ack = Assert.IsType<AppendResponse>(Assert.Single(peer.Step(new AppendRequest(2, 1, 4, 3, 1, [], 11))));

        Assert.Equal((true, 11L), (ack.Success, ack.Index));
    }

    private static void Propose(Network net, int count, long leader = 1)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(net[leader].Propose(new[] { (byte)i }).Accepted);
        }

        net.Deliver();
    }

    private static MemoryStorage SnapshotOnly(long index, long term, long commit)
    {
        var storage = new MemoryStorage();
        storage.ApplySnapshot(new Snapshot(index, term, ThreeVoters, new byte[] { 1 }));
        storage.SetHardState(new HardState(term, RaftNode.None, commit));
        return storage;
    }
}
