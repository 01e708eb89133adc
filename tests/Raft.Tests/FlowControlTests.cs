using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>Batching and pipelining of AppendEntries (thesis §10.2.2), after etcd's progress tracker.</summary>
public sealed class FlowControlTests
{
    [Fact]
    public void ProposalsBeforeOneReady_GoOutAsOneAppendPerFollower()
    {
        var net = Network.Create(3, seed: 61);
        net.Campaign(1);
        var sentBefore = net.Sent.Count;

        for (var i = 0; i < 10; i++)
        {
            Assert.True(net[1].Propose(new[] { (byte)i }).Accepted);
        }

        net.Deliver();

        var appends = Appends(net, sentBefore);
        Assert.Equal([2L, 3L], appends.Select(a => a.To).Order());
        Assert.All(appends, a => Assert.Equal(Enumerable.Range(3, 10).Select(i => (long)i), a.Entries.Select(e => e.Index)));
        Assert.Equal(12, net[1].CommitIndex);
    }

    [Fact]
    public void Batches_AreSplitAtMaxSizePerMessage()
    {
        const int entrySize = 100 + 24; // payload plus the per-entry overhead LogEntry.Size counts
        var net = Network.Create(3, seed: 62, o => o with { MaxSizePerMessage = 3 * entrySize });
        net.Campaign(1);
        var sentBefore = net.Sent.Count;

        for (var i = 0; i < 10; i++)
        {
            Assert.True(net[1].Propose(new byte[100]).Accepted);
        }

        net.Deliver();

        foreach (var follower in new long[] { 2, 3 })
        {
            var appends = Appends(net, sentBefore).Where(a => a.To == follower).ToList();
            Assert.Equal([3, 3, 3, 1], appends.Select(a => a.Entries.Length));
            Assert.All(appends, a => Assert.True(a.Entries.Sum(e => e.Size) <= 3 * entrySize));
            Assert.Equal(12, net[follower].LastIndex);
        }
    }

    [Fact]
    public void OversizedEntry_StillGoesOutAlone()
    {
        var net = Network.Create(3, seed: 63, o => o with { MaxSizePerMessage = 10 });
        net.Campaign(1);
        var sentBefore = net.Sent.Count;

        net[1].Propose([new byte[100], new byte[100]]);
        net.Deliver();

        Assert.All(Appends(net, sentBefore), a => Assert.Single(a.Entries));
        Assert.Equal(4, net[1].CommitIndex);
    }

    [Fact]
    public void SlowFollower_HasAtMostMaxInflightAppendsOutstanding()
    {
        var net = Network.Create(3, seed: 64, o => o with { MaxInflightMessages = 2, MaxSizePerMessage = 1 });
        net.Campaign(1);
        Assert.Equal("Replicate", net[1].Status().Followers[3].State);
        net.DropWhere(m => m is AppendResponse { From: 3 }); // node 3's acknowledgements are not back yet
        var sentBefore = net.Sent.Count;

        for (var i = 0; i < 10; i++)
        {
            Assert.True(net[1].Propose(new[] { (byte)i }).Accepted);
            net.Deliver();
        }

        Assert.Equal(2, Appends(net, sentBefore).Count(a => a.To == 3));
        Assert.Equal(2, net[1].Status().Followers[3].Inflight);
        Assert.Equal(10, Appends(net, sentBefore).Count(a => a.To == 2)); // the fast follower is not held back
        Assert.Equal(12, net[1].CommitIndex);

        // Acknowledgements flow again: the window slides and node 3 catches up.
        net.Recover();
        net.TickUntil(() => net[3].LastIndex == 12 && net[1].Status().Followers[3].MatchIndex == 12, 20, [1]);
    }

    [Fact]
    public void ProbeState_SendsOneAppendAtATime()
    {
        var net = Network.Create(3, seed: 65);
        net.Campaign(1);
        net[1].ReportUnreachable(3);
        Assert.Equal("Probe", net[1].Status().Followers[3].State);
        net.DropWhere(m => m is AppendResponse { From: 3 });
        var sentBefore = net.Sent.Count;

        for (var i = 0; i < 5; i++)
        {
            Assert.True(net[1].Propose(new[] { (byte)i }).Accepted);
            net.Deliver();
        }

        Assert.Single(net.Sent.Skip(sentBefore).OfType<AppendRequest>(), a => a.To == 3);
        Assert.Equal(5, Appends(net, sentBefore).Count(a => a.To == 2));

        // The answer to the probe returns the follower to streaming.
        net.Recover();
        net.TickUntil(() => net[3].LastIndex == 7 && net[1].Status().Followers[3].State == "Replicate", 20, [1]);
    }

    /// <summary>
    /// Writes that arrive one at a time are one append each; while a follower still has appends in flight, a new
    /// commit index waits for its answers instead of going out as an extra empty append per entry.
    /// </summary>
    [Fact]
    public void OneProposalPerReady_EachFollowerGetsOneAppendPerEntryAndTheCommitIndexOnce()
    {
        var net = Network.Create(3, seed: 66);
        net.Campaign(1);
        var inFlight = new List<RaftMessage>();
        for (var i = 0; i < 10; i++)
        {
            Assert.True(net[1].Propose(new[] { (byte)i }).Accepted);
            inFlight.AddRange(net.Peer(1).HandleReadies());
        }

        Assert.Equal(20, inFlight.OfType<AppendRequest>().Count(a => a.Entries.Length == 1));
        var sentBefore = net.Sent.Count;
        foreach (var append in inFlight)
        {
            net.Send(append);
        }

        var commitOnly = net.Sent.Skip(sentBefore).OfType<AppendRequest>().Where(a => a.Entries.Length == 0).ToList();
        Assert.Equal([2L, 3L], commitOnly.Select(a => a.To).Order());
        Assert.All(net.Peers, p => Assert.Equal(12, p.Node.CommitIndex));
    }

    private static List<AppendRequest> Appends(Network net, int sentBefore) =>
        [.. net.Sent.Skip(sentBefore).OfType<AppendRequest>().Where(a => a.Entries.Length > 0)];
}
