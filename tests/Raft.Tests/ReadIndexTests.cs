using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>Linearizable reads without log writes (thesis §6.4).</summary>
public sealed class ReadIndexTests
{
    private const int E = 10;

    [Fact]
    public void Leader_AnswersWithTheCommitIndexAtRequestTime_OnlyAfterAQuorumConfirmsItsLeadership()
    {
        var net = Network.Create(5, seed: 31);
        net.Campaign(1);
        var commit = net[1].CommitIndex;
        net.Ignore<HeartbeatResponse>();
        var sentBefore = net.Sent.Count;

        var result = net[1].ReadIndex(7);
        net.Deliver();

        Assert.Equal(ProposeStatus.Accepted, result.Status);
        Assert.Equal(commit, result.Index);
        Assert.Empty(net.Peer(1).ReadStates);
        var round = net.Sent.Skip(sentBefore).OfType<HeartbeatRequest>().ToList();
        Assert.Equal([2L, 3L, 4L, 5L], round.Select(h => h.To).Order());
        Assert.All(round, h => Assert.True(h.ReadRound > 0));

        // Writes commit meanwhile; the read still reports the index of its request.
        Assert.True(net[1].Propose(new byte[] { 1 }).Accepted);
        net.Deliver();
        Assert.Equal(commit + 1, net[1].CommitIndex);
        Assert.Empty(net.Peer(1).ReadStates);

        // Node 2 alone confirms: with the leader that is 2 of 5, not a quorum.
        net.Recover();
        net.DropWhere(m => m is HeartbeatResponse && m.From >= 3);
        net.Tick(1);
        Assert.Empty(net.Peer(1).ReadStates);

        // Node 3 confirms too: 3 of 5.
        net.Recover();
        net.DropWhere(m => m is HeartbeatResponse && m.From >= 4);
        net.Tick(1);
        Assert.Equal(new ReadState(7, commit), Assert.Single(net.Peer(1).ReadStates));
    }

    [Fact]
    public void NewLeader_HoldsReadsUntilItsNoOpCommits()
    {
        var net = Network.Create(3, seed: 32);
        net.Ignore<AppendResponse>();
        net.Campaign(1);
        Assert.Equal(Role.Leader, net[1].Role);
        Assert.Equal(1, net[1].CommitIndex); // its no-op (index 2) is not acknowledged

        Assert.True(net[1].ReadIndex(9).Accepted);
        net.Tick(1, 3); // heartbeats go round and are answered, but the leader does not yet know the commit index
        Assert.Empty(net.Peer(1).ReadStates);

        net.Recover();
        net.Tick(1);

        Assert.Equal(2, net[1].CommitIndex);
        Assert.Equal(new ReadState(9, 2), Assert.Single(net.Peer(1).ReadStates));
    }

    [Fact]
    public void PartitionedOldLeader_NeverAnswers_AndDropsItsReadOnLearningTheNewerTerm()
    {
        var net = Network.Create(5, seed: 33);
        net.Campaign(1);
        foreach (var minority in new long[] { 1, 2 })
        {
            foreach (var majority in new long[] { 3, 4, 5 })
            {
                net.Cut(minority, majority);
            }
        }

        Assert.True(net[1].ReadIndex(5).Accepted);
        net.Deliver();
        net.Tick(1, 3); // node 2 keeps answering its heartbeats: still only 2 of 5

        net.TickUntil(() => net.Leaders().Any(l => l.Id >= 3), 50 * E, [2, 3, 4, 5]);
        var newLeader = net.Leaders()[0];
        Assert.Equal(Role.Leader, net[1].Role); // still believes it leads: it was ticked too little to notice
        Assert.Empty(net.Peer(1).ReadStates);

        net.Recover();
        net.TickAll(3 * E);

        Assert.Equal(Role.Follower, net[1].Role);
        Assert.Equal((newLeader.Term, newLeader.Id), (net[1].Term, net[1].Leader));
        Assert.Empty(net.Peer(1).ReadStates);

        // The new leader serves reads.
        Assert.True(newLeader.ReadIndex(6).Accepted);
        net.Deliver();
        Assert.Equal(6, Assert.Single(net.Peer(newLeader.Id).ReadStates).RequestId);
    }

    [Fact]
    public void NonLeader_RefusesWithTheLeaderItKnows()
    {
        var net = Network.Create(3, seed: 34);
        Assert.Equal(new ProposeResult(ProposeStatus.NotLeader, 0, 1, RaftNode.None), net[2].ReadIndex(1));

        net.Campaign(1);

        Assert.Equal(new ProposeResult(ProposeStatus.NotLeader, 0, 2, 1), net[2].ReadIndex(1));
        Assert.Equal(new ProposeResult(ProposeStatus.NotLeader, 0, 2, 1), net[3].ReadIndex(1));
    }

    [Fact]
    public void SeveralReadsInOneReady_ShareOneHeartbeatRound()
    {
        var net = Network.Create(3, seed: 35);
        net.Campaign(1);
        var commit = net[1].CommitIndex;
        var sentBefore = net.Sent.Count;

        for (var id = 1; id <= 5; id++)
        {
            Assert.True(net[1].ReadIndex(id).Accepted);
        }

        net.Deliver();

        var heartbeats = net.Sent.Skip(sentBefore).OfType<HeartbeatRequest>().ToList();
        Assert.Equal(2, heartbeats.Count); // one per follower, not one per read
        Assert.Single(heartbeats.Select(h => h.ReadRound).Distinct());
        Assert.Equal([1L, 2, 3, 4, 5], net.Peer(1).ReadStates.Select(r => r.RequestId));
        Assert.All(net.Peer(1).ReadStates, r => Assert.Equal(commit, r.Index));
        Assert.Single(net.Peer(1).Readies, r => r.ReadStates.Count > 0);
    }

    [Fact]
    public void SingleNodeLeader_AnswersAtOnce()
    {
        var peer = Peer.Founding(1, [1]);
        peer.HandleReadies();
        peer.Node.Campaign();
        peer.HandleReadies();

        Assert.True(peer.Node.ReadIndex(3).Accepted);
        var sent = peer.HandleReadies();

        Assert.Empty(sent);
        Assert.Equal(new ReadState(3, peer.Node.CommitIndex), Assert.Single(peer.ReadStates));
    }

    [Fact]
    public void SingleNodeLeader_JustElected_AnswersOnceItsNoOpCommits()
    {
        var peer = Peer.Founding(1, [1]);
        peer.HandleReadies();
        peer.Node.Campaign(); // leader at once, its no-op not yet persisted or committed
        Assert.Equal(Role.Leader, peer.Node.Role);
        Assert.Equal(1, peer.Node.CommitIndex);

        Assert.True(peer.Node.ReadIndex(4).Accepted);
        peer.HandleReadies();

        Assert.Equal(new ReadState(4, 2), Assert.Single(peer.ReadStates));
    }
}
