using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>Client proposals (§5.3, §8).</summary>
public sealed class ProposalTests
{
    [Fact]
    public void Follower_RefusesAProposal_NamingTheLeaderItKnows()
    {
        var net = Network.Create(3, seed: 51);
        Assert.Equal(new ProposeResult(ProposeStatus.NotLeader, 0, 1, RaftNode.None), net[2].Propose(new byte[] { 1 }));

        net.Campaign(1);

        Assert.Equal(new ProposeResult(ProposeStatus.NotLeader, 0, 2, 1), net[2].Propose(new byte[] { 1 }));
        Assert.Equal(2, net[2].LastIndex); // nothing was appended
    }

    [Fact]
    public void Candidate_RefusesAProposal_WithoutHint()
    {
        var peer = Peer.Founding(1, [1, 2, 3], Configure.Basic);
        peer.HandleReadies();
        peer.Node.Campaign();
        peer.HandleReadies();

        Assert.Equal(new ProposeResult(ProposeStatus.NotLeader, 0, 2, RaftNode.None), peer.Node.Propose(new byte[] { 1 }));
    }

    [Fact]
    public void Leader_AcceptsAProposal_WhichCommitsAtTheReturnedIndexAndTerm()
    {
        var net = Network.Create(3, seed: 52);
        net.Campaign(1);

        var result = net[1].Propose([new byte[] { 7 }, new byte[] { 8 }]);
        net.Deliver();
        net.Tick(1);

        Assert.Equal((ProposeStatus.Accepted, 3L, 2L, 1L), (result.Status, result.Index, result.Term, result.LeaderHint));
        Assert.All(net.Peers, p =>
        {
            var applied = p.Applied.Where(e => e.Index >= 3).ToList();
            Assert.Equal([(3L, 2L, (byte)7), (4L, 2L, (byte)8)], applied.Select(e => (e.Index, e.Term, e.Data.Span[0])));
            Assert.All(applied, e => Assert.Equal(EntryKind.Command, e.Kind));
        });
    }
}
