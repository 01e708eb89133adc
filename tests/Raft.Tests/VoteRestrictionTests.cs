using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>§5.4.1 election restriction: a vote goes only to a candidate whose log is at least as up-to-date.</summary>
public sealed class VoteRestrictionTests
{
    private static readonly long[] Voters = [1, 2, 3];

    /// <summary>The voter's log is 1,1,2 (last index 3, last term 2), like etcd's TestVoteRequest.</summary>
    [Theory]
    [InlineData(2, 1, false, false)] // lower last term, shorter
    [InlineData(3, 1, false, false)] // lower last term, same length
    [InlineData(9, 1, false, false)] // lower last term, longer: length does not matter
    [InlineData(2, 2, false, false)] // same last term, shorter log
    [InlineData(3, 2, true, false)] // same last term, same length
    [InlineData(4, 2, true, false)] // same last term, longer
    [InlineData(1, 3, true, false)] // higher last term, shorter: length does not matter
    [InlineData(3, 3, true, false)]
    [InlineData(2, 1, false, true)]
    [InlineData(9, 1, false, true)]
    [InlineData(2, 2, false, true)]
    [InlineData(3, 2, true, true)]
    [InlineData(4, 2, true, true)]
    [InlineData(1, 3, true, true)]
    public void Vote_IsGrantedOnlyToACandidateWhoseLogIsAtLeastAsUpToDate(long lastIndex, long lastTerm, bool granted, bool preVote)
    {
        var peer = Peer.Create(1, Logs.Storage(Voters, [1, 1, 2], term: 2, commit: 1));
        peer.HandleReadies();

        var sent = peer.Step(new VoteRequest(2, 1, 3, lastIndex, lastTerm, preVote, Transfer: false));

        var response = Assert.IsType<VoteResponse>(Assert.Single(sent));
        Assert.Equal(granted, response.Granted);
        Assert.Equal(preVote, response.PreVote);
        if (preVote)
        {
            // A pre-vote binds nobody: term and vote stay.
            Assert.Equal((2L, RaftNode.None), (peer.Node.Term, peer.Node.Vote));
            Assert.Equal(granted ? 3 : 2, response.Term);
        }
        else
        {
            // A real vote request of a higher term moves the voter to that term whatever its answer.
            Assert.Equal(3, peer.Node.Term);
            Assert.Equal(3, response.Term);
            Assert.Equal(granted ? 2 : RaftNode.None, peer.Node.Vote);
            Assert.Equal(new HardState(3, granted ? 2 : RaftNode.None, 1), peer.Storage.HardState);
        }
    }

    public static TheoryData<long[][], bool> ElectionsWithLogs() => new()
    {
        // candidate's log first, then the others'; expected: the candidate wins.
        { [[1], [1, 1], [1, 1]], false }, // shorter log, same last term: both refuse
        { [[1, 1], [1, 2], [1]], true }, // one refuses (higher last term), one grants: 2 of 3
        { [[1, 2], [1, 1, 1], [1, 1, 1, 1]], true }, // higher last term beats longer logs
        { [[1, 1], [1, 2], [1, 2]], false },
        { [[1, 2], [1, 3], [1, 3], [1, 1], [1]], true }, // 3 of 5
        { [[1, 2], [1, 3], [1, 3], [1, 2, 2], [1]], false }, // 2 of 5
        { [[1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1]], true },
    };

    /// <summary>After etcd's TestLeaderElectionWithLog: node 1 campaigns against logs built in advance.</summary>
    [Theory]
    [MemberData(nameof(ElectionsWithLogs))]
    public void Election_IsWonOnlyWithVotesOfAMajorityWhoseLogsAreNoMoreUpToDate(long[][] logs, bool wins)
    {
        var net = new Network(seed: 1);
        long[] voters = [.. Enumerable.Range(1, logs.Length).Select(i => (long)i)];
        var term = logs.Max(l => l[^1]);
        for (var i = 0; i < logs.Length; i++)
        {
            net.Add(voters[i], Logs.Storage(voters, logs[i], term, commit: 1), Configure.Basic);
        }

        net.Campaign(1);

        Assert.Equal(wins ? Role.Leader : Role.Follower, net[1].Role);
        Assert.Equal(term + 1, net[1].Term);
        if (wins)
        {
            // The winner's log, plus its no-op, is now everyone's log.
            var expected = Logs.Describe(net.Storage(1));
            Assert.All(net.Peers, p => Assert.Equal(expected, Logs.Describe(p.Storage)));
        }
    }
}
