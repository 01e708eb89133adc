using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Storage;
using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>
/// Figure 2: currentTerm, votedFor and log[] are updated on stable storage before responding to RPCs. The core
/// tells the host what must be durable, and in which Ready, with <see cref="Ready.HardState"/>,
/// <see cref="Ready.Entries"/> and <see cref="Ready.MustSync"/>.
/// </summary>
public sealed class PersistenceTests
{
    private static readonly long[] Voters = [1, 2, 3];

    [Fact]
    public void FoundingNode_FirstReady_PersistsTheConfigurationEntryAsCommitted()
    {
        var node = new RaftNode(new RaftOptions { Id = 1, InitialVoters = Voters, Random = new Random(1) }, new MemoryStorage());

        var ready = node.Ready();

        Assert.True(ready.MustSync);
        Assert.Equal(new HardState(1, RaftNode.None, 1), ready.HardState);
        var entry = Assert.Single(ready.Entries);
        Assert.Equal((1L, 1L, EntryKind.Configuration), (entry.Index, entry.Term, entry.Kind));
        Assert.Equal(new Configuration(Voters, []), Configuration.Decode(entry.Data.Span));
        Assert.Equal([1L], ready.CommittedEntries.Select(e => e.Index));
    }

    [Fact]
    public void GrantedVote_TravelsInTheSameReadyAsTheHardStateRecordingIt()
    {
        var peer = Founder();

        peer.Node.Step(new VoteRequest(2, 1, 2, 1, 1, PreVote: false, Transfer: false));
        var ready = peer.Node.Ready();

        Assert.True(ready.MustSync);
        Assert.Equal(new HardState(2, 2, 1), ready.HardState);
        var response = Assert.IsType<VoteResponse>(Assert.Single(ready.Messages));
        Assert.True(response.Granted);
        Assert.Equal((2L, 2L), (response.To, response.Term));
        peer.Handle(ready); // the harness checks the vote is durable before the response leaves
        Assert.Equal(new HardState(2, 2, 1), peer.Storage.HardState);
    }

    [Fact]
    public void Candidate_PersistsItsTermAndSelfVote_InTheReadyThatAsksForVotes()
    {
        var peer = Founder(Configure.Basic);

        peer.Node.Campaign();
        var ready = peer.Node.Ready();

        Assert.True(ready.MustSync);
        Assert.Equal(new HardState(2, 1, 1), ready.HardState);
        Assert.Equal([2L, 3L], ready.Messages.OfType<VoteRequest>().Select(m => m.To));
    }

    [Fact]
    public void PreVote_ChangesNothingDurable_AndNeedsNoSync()
    {
        var peer = Founder();

        peer.Node.Campaign();
        var ready = peer.Node.Ready();

        Assert.Equal(Role.PreCandidate, peer.Node.Role);
        Assert.Null(ready.HardState);
        Assert.False(ready.MustSync);
        Assert.All(ready.Messages.OfType<VoteRequest>(), m => Assert.True(m.PreVote));
    }

    [Fact]
    public void HigherTermSeen_MustSyncTheNewTerm_BeforeAnswering()
    {
        var peer = Founder();

        peer.Node.Step(new HeartbeatRequest(2, 1, 5, 1, 0));
        var ready = peer.Node.Ready();

        Assert.True(ready.MustSync);
        Assert.Equal(new HardState(5, RaftNode.None, 1), ready.HardState);
        Assert.IsType<HeartbeatResponse>(Assert.Single(ready.Messages));
    }

    [Fact]
    public void CommitOnlyChange_CarriesHardStateWithoutMustSync()
    {
        var peer = Peer.Create(1, Logs.Storage(Voters, [1, 1, 1], term: 1, commit: 1));
        peer.HandleReadies();

        peer.Node.Step(new HeartbeatRequest(2, 1, 1, 3, 0));
        var ready = peer.Node.Ready();

        Assert.Equal(new HardState(1, RaftNode.None, 3), ready.HardState);
        Assert.Empty(ready.Entries);
        Assert.False(ready.MustSync);
        Assert.Equal([2L, 3L], ready.CommittedEntries.Select(e => e.Index));
    }

    [Fact]
    public void AcceptedEntries_AreInTheSameReadyAsTheAcknowledgement()
    {
        var peer = Founder();

        peer.Node.Step(new AppendRequest(2, 1, 2, 1, 1, [Logs.Entry(2, 2, Voters), Logs.Entry(3, 2, Voters)], 1));
        var ready = peer.Node.Ready();

        Assert.True(ready.MustSync);
        Assert.Equal([2L, 3L], ready.Entries.Select(e => e.Index));
        var ack = Assert.IsType<AppendResponse>(Assert.Single(ready.Messages));
        Assert.True(ack.Success);
        Assert.Equal(3, ack.Index);
    }

    /// <summary>Thesis §10.2.1: the leader counts its own log toward a majority only for what it has persisted.</summary>
    [Fact]
    public void SingleNodeLeader_CommitsItsEntryOnlyAfterPersistingIt()
    {
        var peer = Peer.Founding(1, [1]);
        peer.HandleReadies();
        peer.Node.Campaign();
        peer.HandleReadies();
        Assert.Equal(Role.Leader, peer.Node.Role);
        var committed = peer.Node.CommitIndex;

        var result = peer.Node.Propose(new byte[] { 42 });
        Assert.True(result.Accepted);
        Assert.Equal(committed, peer.Node.CommitIndex);

        var ready = peer.Node.Ready();
        Assert.Equal([result.Index], ready.Entries.Select(e => e.Index));
        Assert.DoesNotContain(ready.CommittedEntries, e => e.Index == result.Index);
        Assert.Equal(committed, peer.Node.CommitIndex);

        peer.Handle(ready); // persists, then Advance
        Assert.Equal(result.Index, peer.Node.CommitIndex);
        peer.HandleReadies();
        Assert.Equal(result.Index, peer.Applied[^1].Index);
        Assert.Equal(result.Index, peer.Storage.HardState.Commit);
    }

    [Fact]
    public void Restart_RecoversTermVoteLogAndCommitFromStorage()
    {
        var net = Network.Create(3, seed: 5);
        net.Campaign(1);
        net[1].Propose(new byte[] { 1 });
        net.Deliver();
        var peer = net.Peer(2);
        var before = (peer.Node.Term, peer.Node.Vote, peer.Node.LastIndex, peer.Storage.HardState.Commit);

        peer.Restart();

        Assert.Equal(before, (peer.Node.Term, peer.Node.Vote, peer.Node.LastIndex, peer.Node.CommitIndex));
        Assert.Equal(Role.Follower, peer.Node.Role);
        Assert.Equal(new Configuration(Voters, []), peer.Node.Configuration);
        Assert.False(peer.Node.HasReady() && peer.Node.Ready().CommittedEntries.Count > 0, "nothing already applied is applied again");
    }

    [Fact]
    public void WholeGroupCrashAndRestart_KeepsEveryCommittedEntry()
    {
        var net = Network.Create(3, seed: 6);
        net.Campaign(1);
        for (var i = 0; i < 5; i++)
        {
            net[1].Propose(new[] { (byte)i });
        }

        net.Deliver();
        net.Tick(1);
        var committed = net.Peers.Select(p => Logs.Describe(p.Storage)).First();
        Assert.All(net.Peers, p => Assert.Equal(7, p.Node.CommitIndex));

        foreach (var peer in net.Peers)
        {
            peer.Restart();
        }

        net.TickUntil(() => net.Leaders().Count == 1 && net.Peers.All(p => p.Node.CommitIndex == net.Leaders()[0].LastIndex), 200);

        var leader = net.Leaders()[0];
        Assert.True(leader.Term >= 3);
        Assert.All(net.Peers, p => Assert.Equal(committed, Logs.Describe(p.Storage).Take(committed.Count)));
        Assert.All(net.Peers, p => Assert.Equal(Enumerable.Range(1, (int)leader.LastIndex).Select(i => (long)i), p.Applied.Select(e => e.Index)));
    }

    [Fact]
    public void CommittedEntries_AreHandedOverInReadiesOfAtMostMaxCommittedSizePerReady()
    {
        var peer = Peer.Create(1, Logs.Storage(Voters, Logs.Runs((1, 1), (9, 1)), term: 1, commit: 10), o => o with { MaxCommittedSizePerReady = 1 });

        peer.HandleReadies();

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), peer.Applied.Select(e => e.Index));
        Assert.All(peer.Readies, r => Assert.True(r.CommittedEntries.Count <= 1));
        Assert.Equal(10, peer.Readies.Count(r => r.CommittedEntries.Count == 1));
    }

    private static Peer Founder(Func<RaftOptions, RaftOptions>? configure = null)
    {
        var peer = Peer.Founding(1, Voters, configure);
        peer.HandleReadies();
        return peer;
    }
}
