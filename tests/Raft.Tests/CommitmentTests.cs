using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>
/// Committing entries from previous terms (§5.4.2, Figure 8): a leader never commits an entry of an earlier term
/// by counting replicas; it commits it only indirectly, by committing an entry of its own term after it.
/// </summary>
public sealed class CommitmentTests
{
    private static readonly long[] Voters = [1, 2, 3, 4, 5];

    /// <summary>
    /// Figure 8 (c): S1, leader of term 4, has replicated the term-2 entry at index 2 to a majority, but its own
    /// term-4 entry at index 3 to nobody. The term-2 entry must not count as committed.
    /// </summary>
    [Fact]
    public void Figure8c_EntryOfAnEarlierTermOnAMajority_IsNotCommitted()
    {
        var net = Figure8c();

        var s1 = net[1];
        Assert.Equal((Role.Leader, 4L), (s1.Role, s1.Term));
        Assert.Equal([1, 2, 4], Logs.Terms(net.Storage(1)));
        var followers = s1.Status().Followers;
        Assert.Equal(2, followers[3].MatchIndex);
        Assert.Equal(2, followers[4].MatchIndex);

        // S1, S3 and S4 are known to hold index 2 (and S2 holds it too): a majority of five, yet not committed.
        Assert.All(new long[] { 2, 3, 4 }, id => Assert.Equal([1, 2], Logs.Terms(net.Storage(id))));
        Assert.Equal(1, s1.CommitIndex);
        Assert.All(net.Peers, p => Assert.Equal(1, p.Node.CommitIndex));
        Assert.DoesNotContain(net.Peers.SelectMany(p => p.Applied), e => e.Index == 2);
    }

    /// <summary>
    /// Figure 8 (d): S1 crashes before its term-4 entry spreads; S5 is elected with votes from S2, S3 and S4 and
    /// overwrites index 2 on all of them. Had S1 counted replicas in (c), a committed entry would now be lost.
    /// </summary>
    [Fact]
    public void Figure8d_UncommittedEntryOfAnEarlierTerm_IsOverwrittenByANewLeader()
    {
        var net = Figure8c();
        net.Recover();
        net.Isolate(1);

        Elect(net, 5);

        Assert.Equal(5, net[5].Term);
        Assert.All(new long[] { 2, 3, 4, 5 }, id => Assert.Equal([1, 3, 5], Logs.Terms(net.Storage(id))));
        Assert.All(new long[] { 2, 3, 4, 5 }, id => Assert.Equal(3, net[id].CommitIndex));
        Assert.Equal(1, net[1].CommitIndex); // S1 never reported index 2 as committed
    }

    /// <summary>
    /// Figure 8 (e): S1 replicates its term-4 entry to a majority before crashing. Then index 3 commits, and
    /// index 2 with it; S5 can no longer win an election, and is eventually repaired by a later leader.
    /// </summary>
    [Fact]
    public void Figure8e_EntryOfTheCurrentTermOnAMajority_CommitsItAndEverythingBefore()
    {
        var net = Figure8c();
        net.Recover();
        net.Isolate(5);

        net.Tick(1); // the next heartbeat round lets S1 resend what was lost

        Assert.Equal(3, net[1].CommitIndex);
        Assert.All(new long[] { 1, 2, 3, 4 }, id => Assert.Equal([1, 2, 4], Logs.Terms(net.Storage(id))));
        Assert.All(new long[] { 1, 2, 3, 4 }, id => Assert.Equal([1L, 2, 3], net.Peer(id).Applied.Select(e => e.Index)));
        Assert.All(new long[] { 1, 2, 3, 4 }, id => Assert.Equal(2, net.Peer(id).Applied[1].Term));

        // S1 crashes; S5 comes back. Its last term (3) is older than the majority's (4): it cannot win.
        net.Recover();
        net.Isolate(1);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            net.Campaign(5);
            Assert.NotEqual(Role.Leader, net[5].Role);
        }

        // Someone else wins and brings S5 in line; the committed entries survive.
        net.TickUntil(() => net.Leaders().Any(l => l.Id != 1) && Logs.Terms(net.Storage(5)).Take(3).SequenceEqual([1L, 2, 4]), 500, [2, 3, 4, 5]);
        Assert.All(new long[] { 2, 3, 4, 5 }, id => Assert.Equal([1L, 2, 4], Logs.Terms(net.Storage(id)).Take(3)));
    }

    /// <summary>
    /// Figure 8 (a)–(c). S1 wrote index 2 in term 2 and reached only S2 before crashing; S5 won term 3 (votes of
    /// S3, S4, S5) and wrote a different index 2. Now S5 is down and S1 wins term 4 with S2, S3 and S4. The network
    /// then loses every AppendEntries that would give a follower S1's term-4 entry, and at most one entry goes per
    /// message, so S3 and S4 acknowledge index 2 but never index 3.
    /// </summary>
    private static Network Figure8c()
    {
        var net = new Network(seed: 8);
        Func<RaftOptions, RaftOptions> options = o => Configure.Basic(o) with { MaxSizePerMessage = 1 };
        net.Add(1, Logs.Storage(Voters, [1, 2], term: 3, commit: 1), options);
        net.Add(2, Logs.Storage(Voters, [1, 2], term: 2, vote: 1, commit: 1), options);
        net.Add(3, Logs.Storage(Voters, [1], term: 3, vote: 5, commit: 1), options);
        net.Add(4, Logs.Storage(Voters, [1], term: 3, vote: 5, commit: 1), options);
        net.Add(5, Logs.Storage(Voters, [1, 3], term: 3, vote: 5, commit: 1), options);
        net.Isolate(5);
        net.DropWhere(m => m is AppendRequest a && a.Entries.Any(e => e.Term == 4) && net.Storage(a.To).LastIndex >= a.PrevLogIndex);

        net.Campaign(1);
        return net;
    }

    private static void Elect(Network net, long id)
    {
        for (var attempt = 0; attempt < 5 && net[id].Role != Role.Leader; attempt++)
        {
            net.Campaign(id);
        }

        Assert.Equal(Role.Leader, net[id].Role);
    }
}
