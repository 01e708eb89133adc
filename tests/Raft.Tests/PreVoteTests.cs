using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>The pre-vote phase (thesis §9.6): a node first asks whether it could win before raising its term.</summary>
public sealed class PreVoteTests
{
    private const int E = 10;

    [Fact]
    public void PartitionedNode_DoesNotRaiseItsTerm_AndDoesNotDisruptTheLeaderAfterHealing()
    {
        var net = Network.Create(3, seed: 21);
        net.Campaign(1);
        net.Isolate(3);

        net.TickAll(10 * E);
        Assert.Equal(2, net[3].Term);
        Assert.Equal((Role.Leader, 2L), (net[1].Role, net[1].Term));
        for (var i = 0; i < 5; i++)
        {
            Assert.True(net[1].Propose(new[] { (byte)i }).Accepted);
        }

        net.Deliver();
        net.Recover();
        net.TickAll(10 * E);

        Assert.Equal((Role.Leader, 2L), (net[1].Role, net[1].Term));
        Assert.All(net.Peers, p => Assert.Equal((2L, 1L), (p.Node.Term, p.Node.Leader)));
        Assert.Equal(net[1].LastIndex, net[3].LastIndex);
        Assert.DoesNotContain(net.Sent.OfType<VoteRequest>(), m => m.From == 3 && !m.PreVote);
        Assert.Single(net.Leaders());
    }

    /// <summary>The same scenario without pre-vote, to show what pre-vote prevents.</summary>
    [Fact]
    public void WithoutPreVote_PartitionedNodeRaisesItsTerm_AndDisruptsTheLeaderAfterHealing()
    {
        var net = Network.Create(3, seed: 21, Configure.Basic);
        net.Campaign(1);
        net.Isolate(3);

        net.TickAll(10 * E);
        Assert.True(net[3].Term > 2, net.Describe());

        net.Recover();
        net.TickUntil(() => net.Leaders().Count == 1 && net.Peers.All(p => p.Node.Leader == net.Leaders()[0].Id), 50 * E);
        Assert.True(net.Leaders()[0].Term > 2, net.Describe());
    }

    /// <summary>
    /// After etcd's TestNodeWithSmallerTermCanCompleteElection: node 3 was partitioned while the others moved to
    /// term 3. When it returns, the leader crashes. Node 3's pre-vote for term 2 is refused with term 3, so it
    /// learns the term instead of pre-voting forever, and the survivors elect a leader.
    /// </summary>
    [Fact]
    public void NodeWithALowerTerm_LearnsTheTermFromThePreVoteRejection_AndAnElectionCompletes()
    {
        var net = Network.Create(3, seed: 4);
        net.Isolate(3);
        net.Campaign(1);
        Assert.True(net[1].TransferLeadership(2));
        net.Deliver();
        Assert.Equal((Role.Leader, 3L), (net[2].Role, net[2].Term));
        Assert.True(net[2].Propose(new byte[] { 1 }).Accepted);
        net.Deliver();
        Assert.Equal(1, net[3].Term);

        net.Recover();
        net.Isolate(2); // the leader crashes as node 3 comes back
        net.Campaign(3);

        Assert.Equal(3, net[3].Term);
        Assert.Equal(Role.Follower, net[3].Role);
        Assert.Equal(3, net[1].Term); // the pre-vote raised nobody's term

        net.TickUntil(() => net[1].Role == Role.Leader && net[3].Leader == 1, 50 * E, [1, 3]);
        Assert.Equal(4, net[1].Term);
        Assert.Equal(net[1].LastIndex, net[3].LastIndex);
    }

    [Fact]
    public void PreCandidate_WinningThePreVote_StartsARealElectionAtTermPlusOne()
    {
        var peer = Peer.Founding(1, [1, 2, 3]);
        peer.HandleReadies();
        peer.Node.Campaign();
        var preVotes = peer.HandleReadies().OfType<VoteRequest>().ToList();
        Assert.All(preVotes, m => Assert.True(m.PreVote && m.Term == 2));
        Assert.Equal(1, peer.Node.Term);

        var votes = peer.Step(new VoteResponse(2, 1, 2, PreVote: true, Granted: true)).OfType<VoteRequest>().ToList();

        Assert.Equal(Role.Candidate, peer.Node.Role);
        Assert.Equal(2, peer.Node.Term);
        Assert.Equal(2, votes.Count);
        Assert.All(votes, m => Assert.False(m.PreVote));
    }

    [Fact]
    public void PreCandidate_LosingThePreVote_ReturnsToFollowerWithoutChangingTerm()
    {
        var peer = Peer.Founding(1, [1, 2, 3]);
        peer.HandleReadies();
        peer.Node.Campaign();
        peer.HandleReadies();

        peer.Step(new VoteResponse(2, 1, 1, PreVote: true, Granted: false));
        peer.Step(new VoteResponse(3, 1, 1, PreVote: true, Granted: false));

        Assert.Equal(Role.Follower, peer.Node.Role);
        Assert.Equal((1L, RaftNode.None), (peer.Node.Term, peer.Node.Vote));
    }
}
