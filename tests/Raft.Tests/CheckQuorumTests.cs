using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>Check-quorum and the leader lease it gives followers (thesis §6.2, §4.2.3).</summary>
public sealed class CheckQuorumTests
{
    private const int E = 10;

    [Fact]
    public void LeaderCutOffFromTheMajority_StepsDownWithinTwoElectionTimeouts()
    {
        var net = Network.Create(3, seed: 2);
        net.Campaign(1);
        net.Isolate(1);

        var ticks = net.TickUntil(() => net[1].Role != Role.Leader, 3 * E, [1]);

        Assert.InRange(ticks, E, 2 * E);
        Assert.Equal(Role.Follower, net[1].Role);
        Assert.Equal(2, net[1].Term);
        Assert.Equal(RaftNode.None, net[1].Leader);
    }

    [Fact]
    public void LeaderReachingAMajority_StaysLeader()
    {
        var net = Network.Create(5, seed: 2);
        net.Campaign(1);
        net.Isolate(4);
        net.Isolate(5);

        net.Tick([1, 2, 3], 10 * E);

        Assert.Equal((Role.Leader, 2L), (net[1].Role, net[1].Term));
    }

    [Fact]
    public void WithoutCheckQuorum_AnIsolatedLeaderStaysLeader()
    {
        var net = Network.Create(3, seed: 2, o => o with { CheckQuorum = false });
        net.Campaign(1);
        net.Isolate(1);

        net.Tick(1, 10 * E);

        Assert.Equal(Role.Leader, net[1].Role);
    }

    [Fact]
    public void FollowerInLease_IgnoresAHigherTermVoteRequest_UnlessItIsATransfer()
    {
        var peer = Peer.Founding(2, [1, 2, 3]);
        peer.HandleReadies();
        peer.Step(new HeartbeatRequest(1, 2, 2, 1, 0));
        Assert.Equal((2L, 1L), (peer.Node.Term, peer.Node.Leader));

        Assert.Empty(peer.Step(new VoteRequest(3, 2, 3, 1, 1, PreVote: false, Transfer: false)));
        Assert.Empty(peer.Step(new VoteRequest(3, 2, 3, 1, 1, PreVote: true, Transfer: false)));
        Assert.Equal((2L, 1L, RaftNode.None), (peer.Node.Term, peer.Node.Leader, peer.Node.Vote));

        var response = Assert.IsType<VoteResponse>(Assert.Single(peer.Step(new VoteRequest(3, 2, 3, 1, 1, PreVote: false, Transfer: true))));
        Assert.True(response.Granted);
        Assert.Equal((3L, 3L), (peer.Node.Term, peer.Node.Vote));
    }

    [Fact]
    public void FollowerWhoseLeaseExpired_HonoursAHigherTermVoteRequest()
    {
        var peer = Peer.Founding(2, [1, 2, 3]);
        peer.HandleReadies();
        peer.Step(new HeartbeatRequest(1, 2, 2, 1, 0));
        for (var i = 0; i < E; i++)
        {
            peer.Node.Tick();
            peer.HandleReadies();
        }

        var response = Assert.IsType<VoteResponse>(Assert.Single(peer.Step(new VoteRequest(3, 2, 3, 1, 1, PreVote: false, Transfer: false))));

        Assert.True(response.Granted);
        Assert.Equal((3L, 3L), (peer.Node.Term, peer.Node.Vote));
    }

    [Fact]
    public void LeaderInLease_IgnoresADisruptiveCandidate()
    {
        var net = Network.Create(3, seed: 2, o => o with { PreVote = false });
        net.Campaign(1);
        var last = net[3].LastIndex;
        Assert.True(net[3].TryGetTerm(last, out var lastTerm));

        net.Send(new VoteRequest(3, 1, 9, last, lastTerm, PreVote: false, Transfer: false));
        net.Send(new VoteRequest(3, 2, 9, last, lastTerm, PreVote: false, Transfer: false));

        Assert.Equal((Role.Leader, 2L), (net[1].Role, net[1].Term));
        Assert.Equal(2, net[2].Term);
    }
}
