using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>Leader election (§5.2).</summary>
public sealed class ElectionTests
{
    private const int E = 10;

    [Fact]
    public void SingleNode_BecomesLeaderByItselfAndCommitsItsNoOp()
    {
        var peer = Peer.Founding(1, [1]);
        peer.HandleReadies();
        Assert.Equal(1, peer.Node.Term);
        Assert.Equal(1, peer.Node.CommitIndex);

        for (var tick = 0; tick < 2 * E && peer.Node.Role != Role.Leader; tick++)
        {
            peer.Node.Tick();
            peer.HandleReadies();
        }

        Assert.Equal(Role.Leader, peer.Node.Role);
        Assert.Equal(2, peer.Node.Term);
        Assert.Equal(1, peer.Node.Leader);
        Assert.Equal(2, peer.Node.CommitIndex);
        var noOp = peer.Applied[^1];
        Assert.Equal((2L, 2L, EntryKind.NoOp), (noOp.Index, noOp.Term, noOp.Kind));
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(3, false)]
    [InlineData(5, true)]
    [InlineData(5, false)]
    public void InitialElection_CampaignerWinsAndEveryoneFollowsIt(int size, bool preVote)
    {
        var net = Network.Create(size, configure: o => o with { PreVote = preVote });
        net.Campaign(1);

        Assert.Equal(Role.Leader, net[1].Role);
        foreach (var peer in net.Peers)
        {
            Assert.Equal(2, peer.Node.Term);
            Assert.Equal(1, peer.Node.Leader);
            Assert.Equal(2, peer.Node.CommitIndex);
            Assert.Equal(EntryKind.NoOp, peer.Applied[^1].Kind);
            if (peer.Id != 1)
            {
                Assert.Equal(Role.Follower, peer.Node.Role);
                Assert.Equal(1, peer.Node.Vote);
            }
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void InitialElection_ByTimeouts_ElectsExactlyOneLeader(int size)
    {
        for (var seed = 1; seed <= 20; seed++)
        {
            var net = Network.Create(size, seed);
            net.TickUntil(() => net.Leaders().Count == 1 && net.Peers.All(p => p.Node.Leader == net.Leaders()[0].Id), 20 * E);

            var leader = net.Leaders()[0];
            Assert.True(net.Peers.All(p => p.Node.Term == leader.Term), $"seed {seed}: terms differ: {net.Describe()}");
            Assert.True(leader.Term <= 3, $"seed {seed}: took until term {leader.Term}");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SplitVote_NoOneWins_ThenRandomizedTimeoutsElectOneLeader(bool preVote)
    {
        for (var seed = 1; seed <= 20; seed++)
        {
            var net = Network.Create(3, seed, o => o with { PreVote = preVote, CheckQuorum = false });
            net[1].Campaign();
            net[2].Campaign();
            net[3].Campaign();
            net.Deliver();

            // Everyone stood in term 2 and voted for itself: nobody has a majority.
            Assert.Empty(net.Leaders());
            Assert.All(net.Peers, p => Assert.Equal((2L, p.Id), (p.Node.Term, p.Node.Vote)));

            net.TickUntil(() => net.Leaders().Count == 1 && net.Peers.All(p => p.Node.Leader == net.Leaders()[0].Id), 20 * E);
            Assert.True(net.Leaders()[0].Term >= 3, $"seed {seed}: {net.Describe()}");
        }
    }

    [Fact]
    public void Voter_VotesAtMostOncePerTerm_EvenAcrossRestart()
    {
        var peer = Peer.Founding(1, [1, 2, 3], Configure.Basic);
        peer.HandleReadies();

        Assert.True(VoteFrom(peer, candidate: 2, term: 2));
        Assert.False(VoteFrom(peer, candidate: 3, term: 2));
        Assert.True(VoteFrom(peer, candidate: 2, term: 2)); // the same candidate asking again (a retransmission)
        Assert.Equal(new HardState(2, 2, 1), peer.Storage.HardState);

        peer.Restart();
        peer.HandleReadies();
        Assert.Equal((2L, 2L), (peer.Node.Term, peer.Node.Vote));
        Assert.False(VoteFrom(peer, candidate: 3, term: 2));

        // A new term frees the vote.
        Assert.True(VoteFrom(peer, candidate: 3, term: 3));
        Assert.Equal(new HardState(3, 3, 1), peer.Storage.HardState);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Candidate_StepsDownOnAppendEntriesOfItsTerm(bool preVote)
    {
        var peer = Peer.Founding(1, [1, 2, 3], o => o with { PreVote = preVote });
        peer.HandleReadies();
        peer.Node.Campaign();
        peer.HandleReadies();
        Assert.Equal(preVote ? Role.PreCandidate : Role.Candidate, peer.Node.Role);
        var term = peer.Node.Term;

        var sent = peer.Step(new AppendRequest(2, 1, term, 1, 1, [], 1));

        Assert.Equal(Role.Follower, peer.Node.Role);
        Assert.Equal(term, peer.Node.Term);
        Assert.Equal(2, peer.Node.Leader);
        var response = Assert.IsType<AppendResponse>(Assert.Single(sent));
        Assert.True(response.Success);
    }

    public static TheoryData<string, Role> HigherTermMessages()
    {
        var data = new TheoryData<string, Role>();
        foreach (var kind in new[] { "append", "heartbeat", "appendResponse", "heartbeatResponse", "voteRequest", "voteRejected" })
        {
            data.Add(kind, Role.Leader);
            data.Add(kind, Role.Candidate);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HigherTermMessages))]
    public void AnyMessageWithHigherTerm_MakesTheNodeAFollowerOfThatTerm(string kind, Role role)
    {
        var peer = Peer.Founding(1, [1, 2, 3], Configure.Basic);
        peer.HandleReadies();
        peer.Node.Campaign();
        peer.HandleReadies();
        if (role == Role.Leader)
        {
            peer.Step(new VoteResponse(2, 1, peer.Node.Term, PreVote: false, Granted: true));
        }

        Assert.Equal(role, peer.Node.Role);
        var higher = peer.Node.Term + 1;
        var last = peer.Node.LastIndex;
        Assert.True(peer.Node.TryGetTerm(last, out var lastTerm));
        RaftMessage message = kind switch
        {
            "append" => new AppendRequest(2, 1, higher, last, lastTerm, [], 0),
            "heartbeat" => new HeartbeatRequest(2, 1, higher, 0, 0),
            "appendResponse" => new AppendResponse(2, 1, higher, false, 0, 0, 0),
            "heartbeatResponse" => new HeartbeatResponse(2, 1, higher, 0),
            "voteRequest" => new VoteRequest(2, 1, higher, last, lastTerm, PreVote: false, Transfer: false),
            _ => new VoteResponse(2, 1, higher, PreVote: false, Granted: false),
        };

        peer.Step(message);

        Assert.Equal(Role.Follower, peer.Node.Role);
        Assert.Equal(higher, peer.Node.Term);
        Assert.Equal(kind is "append" or "heartbeat" ? 2 : RaftNode.None, peer.Node.Leader);
        Assert.Equal(higher, peer.Storage.HardState.Term);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    public void RandomizedElectionTimeout_LiesInEToTwoE(int electionTicks)
    {
        var observed = new SortedSet<int>();
        for (var seed = 0; seed < 300; seed++)
        {
            var peer = Peer.Founding(1, [1, 2, 3], o => o with { ElectionTicks = electionTicks }, seed);
            peer.HandleReadies();
            var ticks = 0;
            while (peer.Node.Role == Role.Follower && ticks < 3 * electionTicks)
            {
                peer.Node.Tick();
                peer.HandleReadies();
                ticks++;
            }

            Assert.True(ticks >= electionTicks && ticks < 2 * electionTicks, $"seed {seed}: campaigned after {ticks} ticks, E = {electionTicks}");
            observed.Add(ticks);
        }

        // Randomized: every value of [E, 2E) shows up over 300 seeds, so timeouts really are spread.
        Assert.Equal(Enumerable.Range(electionTicks, electionTicks), observed);
    }

    [Fact]
    public void Follower_HearingFromTheLeader_DoesNotCampaign()
    {
        var net = Network.Create(3);
        net.Campaign(1);
        net.TickAll(10 * E);

        Assert.Equal(Role.Leader, net[1].Role);
        Assert.Equal(2, net[1].Term);
        Assert.All(net.Peers, p => Assert.Equal(1, p.Node.Leader));
    }

    private static bool VoteFrom(Peer peer, long candidate, long term)
    {
        var sent = peer.Step(new VoteRequest(candidate, peer.Id, term, LastLogIndex: 1, LastLogTerm: 1, PreVote: false, Transfer: false));
        var response = Assert.IsType<VoteResponse>(Assert.Single(sent));
        Assert.Equal(candidate, response.To);
        return response.Granted;
    }
}
