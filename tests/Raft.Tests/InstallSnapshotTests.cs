using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Storage;
using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>
/// The follower's side of InstallSnapshot (§7, Figure 13): chunks assembled in order and resumable, a complete
/// snapshot handed to the host in <see cref="Ready.Snapshot"/> only when it is beyond the commit index, and the log
/// suffix kept when the log already holds the snapshot's last entry. After etcd's TestRestore,
/// TestRestoreIgnoreSnapshot and TestRestoreFromSnapMsg. Node 2 leads; node 1 follows.
/// </summary>
public sealed class InstallSnapshotTests
{
    private static readonly Configuration ThreeVoters = new([1, 2, 3], []);

    [Fact]
    public void CompleteSnapshot_ReplacesTheLog_CommitsIt_AndPutsItsConfigurationInForce()
    {
        var peer = Peer.Founding(1, [1, 2]);
        peer.HandleReadies();

        peer.Node.Step(Chunk(0, [1, 2, 3], true, term: 11, index: 11, snapshotTerm: 11, configuration: ThreeVoters));
        var ready = peer.Node.Ready();

        Assert.NotNull(ready.Snapshot);
        Assert.Equal((11L, 11L), (ready.Snapshot.Index, ready.Snapshot.Term));
        Assert.Equal(new byte[] { 1, 2, 3 }, ready.Snapshot.Data.ToArray());
        Assert.True(ready.MustSync);
        Assert.Equal(new HardState(11, RaftNode.None, 11), ready.HardState);
        Assert.Empty(ready.CommittedEntries);
        var ack = Assert.IsType<InstallSnapshotResponse>(Assert.Single(ready.Messages));
        Assert.Equal((true, 11L), (ack.Done, ack.Index));
        peer.Handle(ready);

        Assert.Equal((11L, 12L), (peer.Node.LastIndex, peer.Node.FirstIndex));
        Assert.True(peer.Node.TryGetTerm(11, out var term) && term == 11);
        Assert.Equal(ThreeVoters, peer.Node.Configuration);
        Assert.Equal(ThreeVoters, peer.Node.AppliedConfiguration);
        Assert.Equal((11L, 11L), (peer.Node.CommitIndex, peer.Node.AppliedIndex));
        Assert.Equal((12L, 11L), (peer.Storage.FirstIndex, peer.Storage.LastIndex));
        Assert.Equal(11, peer.RestoredTo);

        // The same snapshot again is no news: acknowledged, not installed twice.
        var again = peer.Step(Chunk(0, [1, 2, 3], true, term: 11, index: 11, snapshotTerm: 11, configuration: ThreeVoters));
        Assert.Single(peer.Installed);
        Assert.Equal((true, 11L), Done(again));
        Assert.Equal(Role.Follower, peer.Node.Role);
    }

    [Fact]
    public void SnapshotNotBeyondTheCommitIndex_IsIgnored_AndOneMatchingTheLog_OnlyFastForwardsTheCommit()
    {
        var peer = Peer.Create(1, Logs.Storage([1, 2], [1, 1, 1], term: 1, commit: 1));
        peer.HandleReadies();

        var ignored = peer.Step(Chunk(0, [], true, term: 1, index: 1, snapshotTerm: 1, configuration: new Configuration([1, 2], [])));
        Assert.Equal((true, 1L), Done(ignored));
        Assert.Equal(1, peer.Node.CommitIndex);

        // Figure 13 step 6: our log holds entry 2 of term 1, so keep what follows it and just commit up to it.
        var kept = peer.Step(Chunk(0, [], true, term: 1, index: 2, snapshotTerm: 1, configuration: new Configuration([1, 2], [])));
        Assert.Equal((true, 2L), Done(kept));
        Assert.Equal(2, peer.Node.CommitIndex);
        Assert.Empty(peer.Installed);
        Assert.Equal([1L, 1, 1], Logs.Terms(peer.Storage));
        Assert.Equal(3, peer.Node.LastIndex);
        Assert.Equal([1L, 2L], peer.Applied.Select(e => e.Index));
    }

    [Fact]
    public void SnapshotBehindTheCommitIndex_NeverRegressesIt()
    {
        var peer = Peer.Create(1, Logs.Storage(ThreeVoters.Voters, Logs.Runs((20, 1)), term: 1, commit: 20));
        peer.HandleReadies();

        var response = peer.Step(Chunk(0, [9], true, term: 2, index: 15, snapshotTerm: 1, configuration: ThreeVoters));

        Assert.Equal((true, 20L), Done(response));
        Assert.Equal((20L, 20L), (peer.Node.CommitIndex, peer.Node.LastIndex));
        Assert.Empty(peer.Installed);
    }

    [Fact]
    public void LogConflictingWithTheSnapshot_IsDiscardedWhole()
    {
        var peer = Peer.Create(1, Logs.Storage(ThreeVoters.Voters, Logs.Runs((5, 1)), term: 1, commit: 1));
        peer.HandleReadies();

        peer.Step(Chunk(0, [7], true, term: 2, index: 3, snapshotTerm: 2, configuration: ThreeVoters));

        Assert.Equal(3, Assert.Single(peer.Installed).Index);
        Assert.Empty(Logs.All(peer.Storage)); // entries 4 and 5 of term 1 went with the rest (Figure 13 step 7)
        Assert.Equal((4L, 3L), (peer.Storage.FirstIndex, peer.Storage.LastIndex));
        Assert.Equal((3L, 3L), (peer.Node.LastIndex, peer.Node.CommitIndex));
    }

    [Fact]
    public void SnapshotFromALeader_MakesItTheKnownLeader()
    {
        var peer = Peer.Founding(2, [1, 2]);
        peer.HandleReadies();

        peer.Step(new InstallSnapshotRequest(1, 2, 2, 11, 1, new Configuration([1, 2], []), 0, ReadOnlyMemory<byte>.Empty, Done: true));

        Assert.Equal((1L, 2L, Role.Follower), (peer.Node.Leader, peer.Node.Term, peer.Node.Role));
    }

    [Fact]
    public void Candidate_HearingASnapshotFromTheLeaderOfItsTerm_BecomesItsFollower()
    {
        var peer = Peer.Founding(1, [1, 2, 3], Configure.Basic);
        peer.HandleReadies();
        peer.Node.Campaign();
        peer.HandleReadies();
        Assert.Equal((Role.Candidate, 2L), (peer.Node.Role, peer.Node.Term));

        peer.Step(Chunk(0, [1], true, term: 2, index: 11, snapshotTerm: 2, configuration: ThreeVoters));

        Assert.Equal((Role.Follower, 2L), (peer.Node.Role, peer.Node.Leader));
        Assert.Single(peer.Installed);
    }

    [Fact]
    public void SnapshotFromAnEarlierTerm_IsRefused_WithOurTerm()
    {
        var peer = Peer.Create(1, Logs.Storage(ThreeVoters.Voters, [1, 1], term: 5, commit: 1));
        peer.HandleReadies();

        var sent = peer.Step(Chunk(0, [1], true, term: 4, index: 11, snapshotTerm: 4, configuration: ThreeVoters));

        var refusal = Assert.IsType<AppendResponse>(Assert.Single(sent));
        Assert.Equal((false, 5L), (refusal.Success, refusal.Term));
        Assert.Empty(peer.Installed);
    }

    [Fact]
    public void Chunks_AreAssembledInOrder_AndEachIsAnsweredWithTheNextOffset()
    {
        var peer = Follower();

        Assert.Equal(4, NextOffset(peer.Step(Chunk(0, [1, 2, 3, 4]))));
        Assert.Equal(8, NextOffset(peer.Step(Chunk(4, [5, 6, 7, 8]))));
        Assert.Empty(peer.Installed);
        Assert.Equal((true, 11L), Done(peer.Step(Chunk(8, [9], done: true))));

        Assert.Equal(Enumerable.Range(1, 9).Select(i => (byte)i), Assert.Single(peer.Installed).Data.ToArray());
    }

    [Fact]
    public void ChunkAfterAGap_IsRefused_WithTheOffsetExpected()
    {
        var peer = Follower();

        Assert.Equal(0, NextOffset(peer.Step(Chunk(4, [5, 6, 7, 8]))));
        Assert.Equal(4, NextOffset(peer.Step(Chunk(0, [1, 2, 3, 4]))));
        Assert.Equal(4, NextOffset(peer.Step(Chunk(8, [9], done: true))));

        Assert.Empty(peer.Installed);
    }

    [Fact]
    public void DuplicateChunk_IsNotAppendedTwice()
    {
        var peer = Follower();

        peer.Step(Chunk(0, [1, 2, 3, 4]));
        Assert.Equal(4, NextOffset(peer.Step(Chunk(0, [1, 2, 3, 4]))));
        peer.Step(Chunk(4, [5], done: true));

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, Assert.Single(peer.Installed).Data.ToArray());
    }

    [Fact]
    public void TransferRestartedByTheLeader_ResumesFromThePrefixTheFollowerHolds()
    {
        var peer = Follower();
        peer.Step(Chunk(0, [1, 2, 3, 4]));
        peer.Step(Chunk(4, [5, 6, 7, 8]));

        // The leader gave the transfer up and starts over: the follower already holds 8 bytes of this snapshot.
        Assert.Equal(8, NextOffset(peer.Step(Chunk(0, [1, 2, 3, 4]))));
        peer.Step(Chunk(8, [9], done: true));

        Assert.Equal(Enumerable.Range(1, 9).Select(i => (byte)i), Assert.Single(peer.Installed).Data.ToArray());
    }

    [Fact]
    public void ChunkOfAnotherSnapshot_StartsAfresh()
    {
        var peer = Follower();
        peer.Step(Chunk(0, [1, 2, 3, 4]));

        Assert.Equal(0, NextOffset(peer.Step(Chunk(4, [5], true, term: 2, index: 15, snapshotTerm: 2, configuration: ThreeVoters))));
        Assert.Equal(2, NextOffset(peer.Step(Chunk(0, [7, 7], false, term: 2, index: 15, snapshotTerm: 2, configuration: ThreeVoters))));

        // The first snapshot's prefix is gone.
        Assert.Equal(0, NextOffset(peer.Step(Chunk(4, [5, 6, 7, 8]))));
    }

    [Fact]
    public void PrefixReceivedFromAnEarlierLeader_IsNotContinued()
    {
        var peer = Follower();
        peer.Step(Chunk(0, [1, 2, 3, 4], false, term: 2, index: 11, snapshotTerm: 2, configuration: ThreeVoters));

        // Another leader may serialize the same state differently: its chunks do not extend the earlier ones.
        Assert.Equal(0, NextOffset(peer.Step(Chunk(4, [5, 6], false, term: 3, index: 11, snapshotTerm: 2, configuration: ThreeVoters))));
    }

    [Fact]
    public void SnapshotAndEntriesInOneReady_AreToBePersistedAndAppliedInOrder()
    {
        var peer = Follower();

        peer.Node.Step(Chunk(0, [1], done: true));
        peer.Node.Step(new AppendRequest(2, 1, 2, 11, 2, [Logs.Entry(12, 2, ThreeVoters.Voters), Logs.Entry(13, 2, ThreeVoters.Voters)], 13));
        var ready = peer.Node.Ready();

        Assert.Equal(11, ready.Snapshot!.Index);
        Assert.Equal([12L, 13L], ready.Entries.Select(e => e.Index));
        Assert.Equal([12L, 13L], ready.CommittedEntries.Select(e => e.Index));
        Assert.Equal(new HardState(2, RaftNode.None, 13), ready.HardState);
        Assert.True(ready.MustSync);
        peer.Handle(ready);

        Assert.Equal((13L, 13L), (peer.Node.AppliedIndex, peer.Node.CommitIndex));
        Assert.Equal([1L, 12L, 13L], peer.Applied.Select(e => e.Index)); // the founding entry, the snapshot, then 12 and 13
        Assert.Equal(11, peer.RestoredTo);
        Assert.Equal((12L, 13L), (peer.Storage.FirstIndex, peer.Storage.LastIndex));
        Assert.False(peer.Node.HasReady() && peer.Node.Ready().Snapshot is not null, "the snapshot is handed over once");
    }

    [Fact]
    public void EntriesTruncatedBackToTheSnapshot_PutItsConfigurationBackInForce()
    {
        var peer = Follower();
        peer.Step(Chunk(0, [1], done: true));
        var twoVoters = new Configuration([1, 2], []);
        var change = new LogEntry(12, 2, EntryKind.Configuration, twoVoters.Encode());
        peer.Step(new AppendRequest(2, 1, 2, 11, 2, [change], 11));
        Assert.Equal(twoVoters, peer.Node.Configuration);

        // A later leader never had entry 12: ours goes, and with it the configuration it carried (thesis §4.1).
        peer.Step(new AppendRequest(3, 1, 3, 11, 2, [Logs.Entry(12, 3, ThreeVoters.Voters)], 11));

        Assert.Equal(ThreeVoters, peer.Node.Configuration);
    }

    private static Peer Follower()
    {
        var peer = Peer.Founding(1, ThreeVoters.Voters);
        peer.HandleReadies();
        return peer;
    }

    /// <summary>A chunk of node 2's snapshot (by default 11@2 of voters {1, 2, 3}, sent in term 2).</summary>
    private static InstallSnapshotRequest Chunk(
        long offset, byte[] data, bool done = false, long term = 2, long index = 11, long snapshotTerm = 2, Configuration? configuration = null) =>
        new(2, 1, term, index, snapshotTerm, configuration ?? ThreeVoters, offset, data, done);

    private static long NextOffset(List<RaftMessage> sent)
    {
        var response = Assert.IsType<InstallSnapshotResponse>(Assert.Single(sent));
        Assert.False(response.Done);
        return response.NextOffset;
    }

    private static (bool Done, long Index) Done(List<RaftMessage> sent)
    {
        var response = Assert.IsType<InstallSnapshotResponse>(Assert.Single(sent));
        return (response.Done, response.Index);
    }
}
