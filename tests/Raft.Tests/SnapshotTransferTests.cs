using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Tests.Harness;
using OrleansRaft.Raft.Tracking;

namespace OrleansRaft.Raft.Tests;

/// <summary>
/// InstallSnapshot end to end (§7, Figure 13): the leader's snapshot goes out in chunks of at most
/// MaxSnapshotChunkBytes, one at a time; a lost chunk, a transfer given up and restarted, or a silent follower
/// costs only the chunks the follower lacks. Node 3 is cut off while node 1 leads and compacts.
/// </summary>
public sealed class SnapshotTransferTests
{
    private const int E = 10;
    private const int ChunkBytes = 10;
    private static readonly byte[] State = [.. Enumerable.Range(0, 95).Select(i => (byte)i)];

    [Fact]
    public void Snapshot_GoesOutInChunksOfAtMostMaxSnapshotChunkBytes_OneAtATime()
    {
        var net = LaggingFollower(seed: 91);

        CatchUp(net);

        var chunks = Chunks(net);
        Assert.Equal([0L, 10, 20, 30, 40, 50, 60, 70, 80, 90], chunks.Select(c => c.Offset));
        Assert.All(chunks, c => Assert.True(c.Data.Length <= ChunkBytes));
        Assert.Equal([false, false, false, false, false, false, false, false, false, true], chunks.Select(c => c.Done));
        Assert.Equal(State, Assert.Single(net.Peer(3).Installed).Data.ToArray());
        AssertCaughtUp(net);
    }

    [Fact]
    public void LostChunk_IsResentFromTheOffsetTheFollowerAsksFor()
    {
        var net = LaggingFollower(seed: 92);
        var dropped = false;
        net.DropWhere(m => m is InstallSnapshotRequest { Offset: 30 } && !dropped && (dropped = true));

        CatchUp(net);

        // Chunk 30 was lost; nothing else went out meanwhile, so after an election timeout the leader resends it.
        Assert.Equal(2, Chunks(net).Count(c => c.Offset == 30));
        Assert.Equal(11, Chunks(net).Count);
        Assert.Equal(State, Assert.Single(net.Peer(3).Installed).Data.ToArray());
        AssertCaughtUp(net);
    }

    [Fact]
    public void LostAnswer_TheChunkIsResentAfterAnElectionTimeout_AndTheFollowerSaysWhereItIs()
    {
        var net = LaggingFollower(seed: 93);
        var dropped = false;
        net.DropWhere(m => m is InstallSnapshotResponse { NextOffset: 50 } && !dropped && (dropped = true));

        CatchUp(net, ticks: 5);
        Assert.Empty(net.Peer(3).Installed);
        Assert.Equal(ProgressState.Snapshot, net[1].ProgressOf(3)!.State);

        net.Tick(1, E);
        CatchUp(net);

        Assert.Equal(2, Chunks(net).Count(c => c.Offset == 40));
        Assert.Equal(State, Assert.Single(net.Peer(3).Installed).Data.ToArray());
        AssertCaughtUp(net);
    }

    [Fact]
    public void TransferGivenUpAndRestarted_ResumesFromWhatTheFollowerHolds()
    {
        var net = LaggingFollower(seed: 94);
        net.DropWhere(m => m is InstallSnapshotRequest { Offset: >= 40 });
        CatchUp(net, ticks: 1);
        Assert.Equal(40, net[1].ProgressOf(3)!.SnapshotOffset);

        net[1].ReportSnapshot(3, SnapshotStatus.Failure);
        net.Recover();
        CatchUp(net);

        var resent = Chunks(net).SkipWhile(c => c.Offset != 40).Skip(1).SkipWhile(c => c.Offset != 0).ToList();
        Assert.Equal(0, resent[0].Offset); // the new transfer starts at 0 ...
        Assert.Equal([40L, 50, 60, 70, 80, 90], resent.Skip(1).Select(c => c.Offset)); // ... and resumes at 40
        Assert.Equal(State, Assert.Single(net.Peer(3).Installed).Data.ToArray());
        AssertCaughtUp(net);
    }

    [Fact]
    public void UnreachableFollowerInSnapshotState_GetsTheChunkAgainOnceItAnswersAHeartbeat()
    {
        var net = LaggingFollower(seed: 95);
        net.DropWhere(m => m is InstallSnapshotRequest { Offset: 20 });
        CatchUp(net, ticks: 1);
        net.Recover();

        net[1].ReportUnreachable(3);
        Assert.Equal(ProgressState.Snapshot, net[1].ProgressOf(3)!.State);
        net.Tick(1); // a heartbeat, answered
        CatchUp(net);

        Assert.Equal(2, Chunks(net).Count(c => c.Offset == 20));
        Assert.Equal(State, Assert.Single(net.Peer(3).Installed).Data.ToArray());
        AssertCaughtUp(net);
    }

    /// <summary>
    /// Node 1 leads; node 3 misses entries 3..12, which node 1 then compacts into a snapshot of <see cref="State"/>;
    /// node 3 is back, and node 1 has heard from it again.
    /// </summary>
    private static Network LaggingFollower(int seed)
    {
        var net = Network.Create(3, seed, o => o with { MaxSnapshotChunkBytes = ChunkBytes });
        net.Campaign(1);
        net.Isolate(3);
        for (var i = 0; i < 10; i++)
        {
            net[1].Propose(new[] { (byte)i });
        }

        net.Deliver();
        net.Peer(1).Compact(data: State);
        net.Recover();
        return net;
    }

    /// <summary>Ticks the leader until node 3 has caught up, or for <paramref name="ticks"/> ticks.</summary>
    private static void CatchUp(Network net, int? ticks = null)
    {
        if (ticks is { } n)
        {
            net.Tick(1, n);
        }
        else
        {
            net.TickUntil(() => net[3].CommitIndex == net[1].CommitIndex && net[1].ProgressOf(3)!.State == ProgressState.Replicate, 100, [1]);
        }
    }

    private static void AssertCaughtUp(Network net)
    {
        Assert.Equal(12, net[3].CommitIndex);
        Assert.Equal(12, net.Peer(3).RestoredTo);
        Assert.Equal((13L, 12L), (net.Storage(3).FirstIndex, net.Storage(3).LastIndex));
    }

    private static List<InstallSnapshotRequest> Chunks(Network net) => [.. net.Sent.OfType<InstallSnapshotRequest>()];
}
