using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>Leadership transfer (thesis §3.10).</summary>
public sealed class LeadershipTransferTests
{
    private const int E = 10;

    [Fact]
    public void TransferToAnUpToDateFollower_MakesItLeaderAtTheNextTerm_WithoutWaitingForATimeout()
    {
        var net = Network.Create(3, seed: 41);
        net.Campaign(1);

        Assert.True(net[1].TransferLeadership(2));
        net.Deliver(); // no ticks at all

        Assert.Equal((Role.Leader, 3L), (net[2].Role, net[2].Term));
        Assert.All(net.Peers, p => Assert.Equal((3L, 2L), (p.Node.Term, p.Node.Leader)));
        var timeoutNow = Assert.Single(net.Sent.OfType<TimeoutNow>());
        Assert.Equal((1L, 2L), (timeoutNow.From, timeoutNow.To));
    }

    [Fact]
    public void TransferToALaggingFollower_CatchesItUpFirst_ThenSendsTimeoutNow()
    {
        var net = Network.Create(3, seed: 42);
        net.Campaign(1);
        net.Isolate(3);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(net[1].Propose(new[] { (byte)i }).Accepted);
        }

        net.Deliver();
        var last = net[1].LastIndex;
        Assert.True(net[3].LastIndex < last);
        net.Recover();
        var sentBefore = net.Sent.Count;

        Assert.True(net[1].TransferLeadership(3));
        net.Deliver();

        var sent = net.Sent.Skip(sentBefore).ToList();
        var timeoutAt = sent.FindIndex(m => m is TimeoutNow);
        var caughtUpAt = sent.FindIndex(m => m is AppendResponse { From: 3, Success: true } r && r.Index >= last);
        Assert.True(caughtUpAt >= 0 && timeoutAt > caughtUpAt, $"caught up at message {caughtUpAt}, TimeoutNow at {timeoutAt}");
        Assert.Single(sent.OfType<TimeoutNow>());
        Assert.Equal((Role.Leader, 3L), (net[3].Role, net[3].Term));
        Assert.Equal(Logs.Describe(net.Storage(1)).Take((int)last), Logs.Describe(net.Storage(3)).Take((int)last));
    }

    [Fact]
    public void DuringATransfer_ProposalsAreRefused()
    {
        var net = Network.Create(3, seed: 43);
        net.Campaign(1);
        net.Isolate(3);

        Assert.True(net[1].TransferLeadership(3));
        net.Deliver();

        var result = net[1].Propose(new byte[] { 1 });
        Assert.Equal(ProposeStatus.TransferInProgress, result.Status);
        Assert.False(result.Accepted);
        Assert.Equal(Role.Leader, net[1].Role);
    }

    [Fact]
    public void TransferToAnUnreachableTarget_IsAbandonedAfterAnElectionTimeout()
    {
        var net = Network.Create(3, seed: 44);
        net.Campaign(1);
        net.Isolate(3);
        Assert.True(net[1].TransferLeadership(3));
        net.Deliver();

        net.Tick(1, E - 1);
        Assert.Equal(ProposeStatus.TransferInProgress, net[1].Propose(new byte[] { 1 }).Status);

        net.Tick(1);
        Assert.Equal((Role.Leader, 2L), (net[1].Role, net[1].Term));
        Assert.Equal(ProposeStatus.Accepted, net[1].Propose(new byte[] { 2 }).Status);
        Assert.Empty(net.Delivered.OfType<TimeoutNow>()); // it went out, but was lost
        Assert.Equal(2, net[3].Term);
    }

    [Fact]
    public void Transfer_IsRefusedWhenItCannotStart()
    {
        var net = Network.Create(3, seed: 45);
        net.Campaign(1);

        Assert.False(net[2].TransferLeadership(3)); // not the leader
        Assert.False(net[1].TransferLeadership(1)); // to itself
        Assert.False(net[1].TransferLeadership(9)); // not a voter
    }
}
