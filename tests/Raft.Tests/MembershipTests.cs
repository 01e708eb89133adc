using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Storage;
using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>
/// Membership change one server at a time (thesis §4.1): a configuration is in force as soon as it is in a server's
/// log, the next one waits for the previous one to commit, and a new leader first commits its no-op. After etcd's
/// TestAddNode, TestAddLearner, TestRemoveNode, TestRemoveLearner, TestStepConfig, TestStepIgnoreConfig,
/// TestNewLeaderPendingConfig and TestCommitAfterRemoveNode.
/// </summary>
public sealed class MembershipTests
{
    [Fact]
    public void AddVoter_IsInForceAsSoonAsItIsInTheLeadersLog()
    {
        var leader = SingleLeader();

        var result = leader.Node.ProposeMembership(MembershipChange.AddVoter(2));

        Assert.True(result.Accepted);
        Assert.Equal(leader.Node.LastIndex, result.Index);
        Assert.Equal([1L, 2L], leader.Node.Configuration.Voters);
        Assert.Contains(2L, leader.Node.Status().Followers.Keys);
        leader.HandleReadies();
        Assert.True(leader.Node.CommitIndex < result.Index, "a majority of {1, 2} needs node 2");
    }

    [Fact]
    public void AddLearner_ThenPromote()
    {
        var leader = SingleLeader();

        var add = leader.Node.ProposeMembership(MembershipChange.AddLearner(2));
        leader.HandleReadies();

        Assert.True(add.Accepted);
        Assert.Equal(new Configuration([1], [2]), leader.Node.Configuration);
        Assert.True(leader.Node.Status().Followers[2].IsLearner);
        Assert.Equal(add.Index, leader.Node.CommitIndex); // a learner does not count: node 1 alone commits it

        var promote = leader.Node.ProposeMembership(MembershipChange.PromoteLearner(2));

        Assert.True(promote.Accepted);
        Assert.Equal(new Configuration([1, 2], []), leader.Node.Configuration);
        Assert.False(leader.Node.Status().Followers[2].IsLearner);
    }

    [Fact]
    public void RemoveNode_AndNeverTheLastVoter()
    {
        var net = Network.Create(2, seed: 101);
        net.Campaign(1);

        Assert.True(net[1].ProposeMembership(MembershipChange.RemoveNode(2)).Accepted);
        net.Deliver();

        Assert.Equal([1L], net[1].Configuration.Voters);
        Assert.Equal(ProposeStatus.LastVoter, net[1].ProposeMembership(MembershipChange.RemoveNode(1)).Status);
        Assert.Equal([1L], net[1].Configuration.Voters);
    }

    [Fact]
    public void RemoveLearner()
    {
        var leader = SingleLeader();
        leader.Node.ProposeMembership(MembershipChange.AddLearner(2));
        leader.HandleReadies();

        Assert.True(leader.Node.ProposeMembership(MembershipChange.RemoveNode(2)).Accepted);
        leader.HandleReadies();

        Assert.Equal(new Configuration([1], []), leader.Node.Configuration);
        Assert.Empty(leader.Node.Status().Followers);
        Assert.Equal(ProposeStatus.LastVoter, leader.Node.ProposeMembership(MembershipChange.RemoveNode(1)).Status);
    }

    [Theory]
    [InlineData(new long[] { 1 }, true)]
    [InlineData(new long[] { 1, 2, 3 }, true)]
    [InlineData(new long[] { }, false)]
    [InlineData(new long[] { 2, 3 }, false)]
    public void OnlyAVoterCampaigns(long[] voters, bool promotable)
    {
        var storage = new MemoryStorage();
        storage.Append([new LogEntry(1, 1, EntryKind.Configuration, new Configuration(voters, []).Encode())]);
        storage.SetHardState(new HardState(1, RaftNode.None, 1));
        var peer = Peer.Create(1, storage, Configure.Basic);

        peer.Node.Campaign();
        for (var i = 0; i < 30; i++)
        {
            peer.Node.Tick();
        }

        Assert.Equal(promotable, peer.Node.Role != Role.Follower);
        Assert.Equal(promotable, peer.Node.Term > 1);
    }

    [Fact]
    public void RemovingAVoter_LowersTheQuorumAtOnce_SoItsEntryCommitsWithTheRemainingMajority()
    {
        // {1, 2} with node 2 silent: removing it is in force as soon as it is in node 1's log (thesis §4.1), so the
        // removal is committed by a majority of {1}, and so is everything after it.
        var net = Network.Create(2, seed: 102);
        net.Campaign(1);
        net.Isolate(2);

        var removal = net[1].ProposeMembership(MembershipChange.RemoveNode(2));
        var hello = net[1].Propose("hello"u8.ToArray());
        net.Deliver();

        Assert.True(removal.Accepted && hello.Accepted);
        Assert.Equal(hello.Index, net[1].CommitIndex);
        var applied = net.Peer(1).Applied;
        Assert.Equal((EntryKind.Configuration, removal.Index), (applied[^2].Kind, applied[^2].Index));
        Assert.Equal("hello"u8.ToArray(), applied[^1].Data.ToArray());
    }

    [Fact]
    public void ConfigurationChange_IsAppended_AndPendingUntilCommitted()
    {
        var net = Network.Create(2, seed: 103);
        net.Campaign(1);
        net.Isolate(2);
        var index = net[1].LastIndex;

        var result = net[1].ProposeMembership(MembershipChange.AddLearner(3));
        net.Deliver();

        Assert.Equal(index + 1, result.Index);
        Assert.Equal(index + 1, net[1].LastIndex);
        Assert.Equal(EntryKind.Configuration, Logs.All(net.Storage(1))[^1].Kind);
        Assert.True(net[1].CommitIndex < result.Index);
        Assert.Equal(ProposeStatus.ChangeInProgress, net[1].ProposeMembership(MembershipChange.AddLearner(4)).Status);
    }

    [Fact]
    public void SecondChangeWhileTheFirstIsUncommitted_IsRefused_AndAppendsNothing()
    {
        var net = Network.Create(2, seed: 104);
        net.Campaign(1);
        net.Isolate(2);
        Assert.True(net[1].ProposeMembership(MembershipChange.AddLearner(3)).Accepted);
        net.Deliver();
        var last = net[1].LastIndex;

        var second = net[1].ProposeMembership(MembershipChange.AddLearner(4));

        Assert.Equal(ProposeStatus.ChangeInProgress, second.Status);
        Assert.Equal(last, net[1].LastIndex);
        Assert.Equal(new Configuration([1, 2], [3]), net[1].Configuration);

        // Once it commits, the next change is welcome.
        net.Recover();
        net.TickUntil(() => net[1].CommitIndex == last, 20, [1]);
        Assert.True(net[1].ProposeMembership(MembershipChange.AddLearner(4)).Accepted);
    }

    [Fact]
    public void NewLeaderWithAnUncommittedConfigurationInItsLog_RefusesChangesUntilItCommits()
    {
        // Node 1 holds a configuration entry it never saw committed; node 2 votes for it but drops its appends.
        var configuration = new LogEntry(2, 1, EntryKind.Configuration, new Configuration([1, 2], [3]).Encode());
        var storage = Logs.Storage([1, 2], [1], term: 1, commit: 1);
        storage.Append([configuration]);
        var net = new Network(105);
        net.Add(1, storage, Configure.Basic);
        net.Add(2, Logs.Storage([1, 2], [1], term: 1, commit: 1), Configure.Basic);
        net.DropWhere(m => m is AppendRequest { To: 2 });

        net.Campaign(1);

        Assert.Equal(Role.Leader, net[1].Role);
        Assert.Equal(ProposeStatus.TermNotCommitted, net[1].ProposeMembership(MembershipChange.AddLearner(4)).Status);

        net.Recover();
        net.TickUntil(() => net[1].CommitIndex == net[1].LastIndex, 20, [1]);
        Assert.True(net[1].ProposeMembership(MembershipChange.AddLearner(4)).Accepted);
    }

    [Fact]
    public void NewLeader_RefusesChangesUntilItsNoOpCommits()
    {
        var net = Network.Create(3, seed: 106);
        net.DropWhere(m => m is AppendResponse);

        net.Campaign(1);

        Assert.Equal(Role.Leader, net[1].Role);
        Assert.True(net[1].CommitIndex < net[1].LastIndex);
        Assert.Equal(ProposeStatus.TermNotCommitted, net[1].ProposeMembership(MembershipChange.AddLearner(4)).Status);
        Assert.True(net[1].Propose(new byte[] { 1 }).Accepted, "ordinary proposals need not wait");

        net.Recover();
        net.Tick(1);
        Assert.True(net[1].ProposeMembership(MembershipChange.AddLearner(4)).Accepted);
    }

    [Theory]
    [InlineData(MembershipChangeKind.AddVoter, 2, ProposeStatus.AlreadyMember)]
    [InlineData(MembershipChangeKind.AddLearner, 3, ProposeStatus.AlreadyMember)]
    [InlineData(MembershipChangeKind.AddVoter, 4, ProposeStatus.AlreadyMember)] // a learner: promote it instead
    [InlineData(MembershipChangeKind.RemoveNode, 9, ProposeStatus.NotMember)]
    [InlineData(MembershipChangeKind.PromoteLearner, 9, ProposeStatus.NotMember)]
    [InlineData(MembershipChangeKind.PromoteLearner, 2, ProposeStatus.NotLearner)]
    [InlineData(MembershipChangeKind.AddLearner, 5, ProposeStatus.Accepted)]
    public void ChangesThatDoNotFitTheConfiguration_AreRefused(MembershipChangeKind kind, long node, ProposeStatus expected)
    {
        var net = Network.Create(3, seed: 107);
        net.Campaign(1);
        Assert.True(net[1].ProposeMembership(MembershipChange.AddLearner(4)).Accepted);
        net.Deliver();
        var last = net[1].LastIndex;

        var result = net[1].ProposeMembership(new MembershipChange(kind, node));

        Assert.Equal(expected, result.Status);
        Assert.Equal(expected == ProposeStatus.Accepted ? last + 1 : last, net[1].LastIndex);
    }

    [Fact]
    public void FollowerOrTransferringLeader_RefusesChanges()
    {
        var net = Network.Create(3, seed: 108);
        net.Campaign(1);

        var follower = net[2].ProposeMembership(MembershipChange.AddLearner(4));
        Assert.Equal((ProposeStatus.NotLeader, 1L), (follower.Status, follower.LeaderHint));

        net.Isolate(3);
        Assert.True(net[1].TransferLeadership(3));
        Assert.Equal(ProposeStatus.TransferInProgress, net[1].ProposeMembership(MembershipChange.AddLearner(4)).Status);
    }

    [Fact]
    public void Learner_NeverCampaigns()
    {
        var net = LeaderWithLearner(seed: 109);

        net.Tick(2, 100);

        Assert.Equal(Role.Follower, net[2].Role);
        Assert.DoesNotContain(net.Sent, m => m is VoteRequest { From: 2 });
    }

    [Fact]
    public void LearnersVote_DoesNotCountTowardAQuorum()
    {
        var peer = Peer.Create(1, Logs.Storage([1, 2, 3], [1], term: 1, commit: 1), Configure.Basic);
        peer.Node.Step(new AppendRequest(2, 1, 1, 1, 1, [LearnerEntry(2, 1, [1, 2, 3], [4])], 1));
        peer.HandleReadies();
        peer.Node.Campaign();
        var requests = peer.HandleReadies().OfType<VoteRequest>();
        Assert.Equal([2L, 3L], requests.Select(r => r.To)); // voters only

        peer.Step(new VoteResponse(4, 1, 2, PreVote: false, Granted: true));
        Assert.Equal(Role.Candidate, peer.Node.Role);

        peer.Step(new VoteResponse(2, 1, 2, PreVote: false, Granted: true));
        Assert.Equal(Role.Leader, peer.Node.Role);
    }

    /// <summary>
    /// Thesis §4.1: a server grants its vote without consulting its configuration. A learner may have been promoted
    /// without knowing it yet, and a candidate that counts it as a voter may need its vote (the reason etcd dropped its
    /// old TestLearnerCannotVote); a candidate that knows it as a learner never asks it, nor counts its vote.
    /// </summary>
    [Fact]
    public void Learner_AnswersACandidateThatCountsItAsAVoter()
    {
        var storage = Logs.Storage([1, 2], [1], term: 1, commit: 1);
        storage.Append([LearnerEntry(2, 1, [1, 2], [3])]);
        var peer = Peer.Create(3, storage, Configure.Basic);
        Assert.True(peer.Node.Configuration.IsLearner(3));

        var response = Assert.IsType<VoteResponse>(Assert.Single(peer.Step(new VoteRequest(1, 3, 2, 2, 1, PreVote: false, Transfer: false))));

        Assert.True(response.Granted);
    }

    [Fact]
    public void Learner_ReceivesTheLog_AndItsMatchIndexIsInTheLeadersStatus()
    {
        var net = LeaderWithLearner(seed: 111);

        Assert.True(net[1].Propose("somedata"u8.ToArray()).Accepted);
        net.Deliver();

        Assert.Equal(net[1].CommitIndex, net[2].CommitIndex);
        Assert.Equal(net[1].LastIndex, net[1].CommitIndex);
        var learner = net[1].Status().Followers[2];
        Assert.True(learner.IsLearner);
        Assert.Equal(net[2].CommitIndex, learner.MatchIndex);
    }

    [Fact]
    public void LeadershipTransferToALearner_IsRefused()
    {
        var net = LeaderWithLearner(seed: 112);

        Assert.False(net[1].TransferLeadership(2));
        Assert.Equal(Role.Leader, net[1].Role);
    }

    [Fact]
    public void PromotedLearner_CanBeElected()
    {
        var net = LeaderWithLearner(seed: 113);

        Assert.True(net[1].ProposeMembership(MembershipChange.PromoteLearner(2)).Accepted);
        net.Deliver();
        Assert.Equal(new Configuration([1, 2], []), net[2].Configuration);
        Assert.True(net[1].TransferLeadership(2));
        net.Deliver();

        Assert.Equal(Role.Leader, net[2].Role);
        Assert.Equal(Role.Follower, net[1].Role);
    }

    [Fact]
    public void NewServer_JoinsAsALearner_CatchesUpFromTheLeadersSnapshot_IsPromoted_AndTakesOver()
    {
        var net = Network.Create(3, seed: 114);
        net.Campaign(1);
        for (var i = 0; i < 20; i++)
        {
            net[1].Propose(new[] { (byte)i });
        }

        net.Deliver();
        net.Peer(1).Compact(data: [7]);

        Assert.True(net[1].ProposeMembership(MembershipChange.AddLearner(4)).Accepted);
        net.Add(4, new MemoryStorage()); // no InitialVoters: a joining server, not a founder
        net.TickUntil(() => net[1].Status().Followers[4].MatchIndex == net[1].CommitIndex, 50, [1]);

        var installed = Assert.Single(net.Peer(4).Installed);
        Assert.Equal(new Configuration([1, 2, 3], []), installed.Configuration); // taken before the learner was added
        Assert.Equal(new Configuration([1, 2, 3], [4]), net[4].Configuration);
        Assert.True(net[1].ProposeMembership(MembershipChange.PromoteLearner(4)).Accepted);
        net.Deliver();
        Assert.True(net[1].TransferLeadership(4));
        net.Deliver();

        Assert.Equal(Role.Leader, net[4].Role);
        Assert.True(net[4].Propose(new byte[] { 99 }).Accepted);
        net.Deliver();
        Assert.All(net.Peers, p => Assert.Equal(net[4].LastIndex, p.Node.CommitIndex));
    }

    [Fact]
    public void LearnerFromASnapshot_ReplicatesAndCommitsLikeAnyFollower()
    {
        var learnerConfiguration = new Configuration([1], [2]);
        var storage = new MemoryStorage();
        storage.ApplySnapshot(new Snapshot(11, 11, learnerConfiguration, new byte[] { 1 }));
        storage.SetHardState(new HardState(11, RaftNode.None, 11));
        var net = new Network(115);
        net.Add(1, storage);
        net.Add(2, new MemoryStorage());

        net.Campaign(1);
        net.Tick(1);

        Assert.Equal(Role.Leader, net[1].Role);
        Assert.Equal(net[1].CommitIndex, net[2].CommitIndex);
        Assert.Equal(learnerConfiguration, Assert.Single(net.Peer(2).Installed).Configuration);
        Assert.Equal(learnerConfiguration, net[2].Configuration);
    }

    [Fact]
    public void RemovedLeader_LeadsUntilTheRemovalCommits_ThenStepsDown_AndNeverCampaignsAgain()
    {
        var net = Network.Create(3, seed: 116);
        net.Campaign(1);
        net.DropWhere(m => m is AppendResponse);

        var removal = net[1].ProposeMembership(MembershipChange.RemoveNode(1));
        net.Deliver();

        Assert.True(removal.Accepted);
        Assert.Equal(Role.Leader, net[1].Role); // still manages the group while the removal is uncommitted
        Assert.Equal(new Configuration([2, 3], []), net[1].Configuration);
        Assert.Null(net[1].ProgressOf(1)); // it no longer counts itself toward a majority

        net.Recover();
        net.Tick(1);

        Assert.Equal(Role.Follower, net[1].Role);
        Assert.Equal(removal.Index, net[1].CommitIndex);
        Assert.All(new long[] { 2, 3 }, id => Assert.True(net[id].CommitIndex >= removal.Index)); // told before stepping down
        var sentBefore = net.Sent.Count;
        net.TickUntil(() => net.Leaders().Count == 1 && net.Leaders()[0].Id != 1, 100);
        net.Tick(1, 100);
        Assert.DoesNotContain(net.Sent.Skip(sentBefore), m => m is VoteRequest { From: 1 });
    }

    [Fact]
    public void RemovedLeader_HandsLeadershipToACaughtUpVoter_SoNoElectionTimeoutPasses()
    {
        var net = Network.Create(3, seed: 117);
        net.Campaign(1);
        var term = net[1].Term;

        var removal = net[1].ProposeMembership(MembershipChange.RemoveNode(1));
        net.Deliver();

        // §3.10: the lowest-id voter holding the whole log is told to campaign; no tick passed.
        Assert.True(removal.Accepted);
        Assert.Contains(net.Sent, m => m is TimeoutNow { From: 1, To: 2 });
        Assert.Equal(Role.Follower, net[1].Role);
        var leader = Assert.Single(net.Leaders());
        Assert.Equal((2L, term + 1), (leader.Id, leader.Term));
        Assert.True(net[3].CommitIndex > removal.Index, "the new leader committed its no-op");
    }

    [Fact]
    public void RemovedLeader_WithNoCaughtUpVoter_StepsDownWithoutATimeoutNow()
    {
        var net = Network.Create(3, seed: 118);
        net.Campaign(1);
        net.DropWhere(m => m is AppendResponse);
        var removal = net[1].ProposeMembership(MembershipChange.RemoveNode(1));
        net.Deliver();

        // An entry after the removal never reaches anyone; then the removal's acknowledgements arrive. It commits,
        // but no voter holds the leader's whole log, so nobody is told to campaign.
        net.DropWhere(m => m is AppendRequest append && append.Entries.Any(e => e.Index > removal.Index));
        Assert.True(net[1].Propose("late"u8.ToArray()).Accepted);
        net.Deliver();
        var term = net[1].Term;
        net.Send(new AppendResponse(2, 1, term, Success: true, removal.Index, 0, 0));
        net.Send(new AppendResponse(3, 1, term, Success: true, removal.Index, 0, 0));

        Assert.True(removal.Accepted);
        Assert.Equal(Role.Follower, net[1].Role);
        Assert.Equal(removal.Index, net[1].CommitIndex);
        Assert.DoesNotContain(net.Sent, m => m is TimeoutNow);
    }

    [Fact]
    public void RemovedServer_CannotDisruptTheGroup()
    {
        // Node 3 is cut off before its removal reaches it, so it still believes it is a voter and campaigns
        // (thesis §4.2.3). With PreVote and CheckQuorum the others, hearing from their leader, ignore it.
        var net = Network.Create(3, seed: 117);
        net.Campaign(1);
        net.Isolate(3);
        Assert.True(net[1].ProposeMembership(MembershipChange.RemoveNode(3)).Accepted);
        net.Deliver();
        Assert.Equal(new Configuration([1, 2], []), net[2].Configuration);
        net.Tick(3, 40); // node 3 times out, alone, again and again
        var (term, leader) = (net[1].Term, net[1].Id);

        net.Recover();
        for (var i = 0; i < 50; i++)
        {
            net.Tick([1, 2, 3], 1);
        }

        Assert.Contains(net.Delivered, m => m is VoteRequest { From: 3, To: 1 or 2 });
        Assert.Equal((Role.Leader, term), (net[leader].Role, net[leader].Term));
        Assert.Equal(term, net[2].Term);
        Assert.Equal(leader, net[2].Leader);
    }

    [Fact]
    public void ConfigurationEntryTruncatedByANewLeader_IsUndone()
    {
        var net = Network.Create(3, seed: 119, Configure.Basic);
        net.Campaign(1);
        net.Isolate(1);
        Assert.True(net[1].ProposeMembership(MembershipChange.AddLearner(4)).Accepted);
        net.Deliver();
        Assert.Equal(new Configuration([1, 2, 3], [4]), net[1].Configuration);

        net.Campaign(2);
        net.Recover();
        net.TickUntil(() => net[1].Term == net[2].Term && net[1].LastIndex == net[2].LastIndex, 10, [2]);

        Assert.Equal(Role.Leader, net[2].Role);
        Assert.Equal(new Configuration([1, 2, 3], []), net[1].Configuration); // the entry went, and with it the change
    }

    private static LogEntry LearnerEntry(long index, long term, long[] voters, long[] learners) =>
        new(index, term, EntryKind.Configuration, new Configuration(voters, learners).Encode());

    /// <summary>Node 1, the only voter of a new group, elected.</summary>
    private static Peer SingleLeader()
    {
        var peer = Peer.Founding(1, [1]);
        peer.HandleReadies();
        peer.Node.Campaign();
        peer.HandleReadies();
        Assert.Equal(Role.Leader, peer.Node.Role);
        return peer;
    }

    /// <summary>Voter 1 leads; node 2 joined as a learner and caught up.</summary>
    private static Network LeaderWithLearner(int seed)
    {
        var net = Network.Create(1, seed);
        net.Campaign(1);
        Assert.True(net[1].ProposeMembership(MembershipChange.AddLearner(2)).Accepted);
        net.Add(2, new MemoryStorage());
        net.Tick(1, 2);
        Assert.Equal(new Configuration([1], [2]), net[2].Configuration);
        Assert.Equal(net[1].CommitIndex, net[2].CommitIndex);
        return net;
    }
}
