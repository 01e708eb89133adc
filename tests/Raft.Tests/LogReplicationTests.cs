using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Tests.Harness;

namespace OrleansRaft.Raft.Tests;

/// <summary>Log replication (§5.3): a new leader forces the followers' logs to duplicate its own.</summary>
public sealed class LogReplicationTests
{
    /// <summary>
    /// Figure 7: the leader of term 8 (node 1) and followers (a)–(f) (nodes 2–7). Each follower may miss entries
    /// (a, b), have extra uncommitted entries (c, d), or both (e, f). Once the leader has replicated, every log
    /// equals the leader's plus its term-8 no-op.
    /// </summary>
    [Fact]
    public void Figure7_EveryFollowerEndsWithTheLeadersLog()
    {
        var net = Figure7();

        // (a), (b), (e) and (f) vote for the leader; (c) and (d) hold more up-to-date logs and refuse.
        net.Campaign(1);
        Assert.Equal(Role.Leader, net[1].Role);
        Assert.Equal(8, net[1].Term);

        long[] expected = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8];
        Assert.Equal(expected, Logs.Terms(net.Storage(1)));
        var leaderLog = Logs.Describe(net.Storage(1));
        for (var i = 1; i < Figure7Logs.Length; i++)
        {
            var follower = net.Peer(i + 1);
            var name = Figure7Logs[i].Name;
            Assert.Equal($"{name}: {string.Join(' ', leaderLog)}", $"{name}: {string.Join(' ', Logs.Describe(follower.Storage))}");
            Assert.Equal(11, follower.Node.LastIndex);
            Assert.Equal(11, follower.Node.CommitIndex);
            Assert.Equal(1, follower.Node.Leader);
        }
    }

    /// <summary>
    /// Figure 7 (d) holds 11@7 and 12@7. While the leader has not yet found where (d) matches, it commits 11@8
    /// with the others; its heartbeats must not make (d) commit its own, different, entry 11.
    /// </summary>
    [Fact]
    public void Figure7_FollowerNotYetRepaired_IsNotToldToCommitItsDivergentEntries()
    {
        var net = Figure7();
        net.DropWhere(m => m is AppendRequest { To: 5 });

        net.Campaign(1);
        net.Tick(1, 3);

        Assert.Equal(11, net[1].CommitIndex);
        Assert.Equal(1, net[5].CommitIndex);
        Assert.Equal([1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7], Logs.Terms(net.Storage(5)));
        Assert.Contains(net.Delivered.OfType<HeartbeatRequest>(), h => h.To == 5);

        net.Recover();
        net.Tick(1);
        Assert.Equal(Logs.Describe(net.Storage(1)), Logs.Describe(net.Storage(5)));
        Assert.Equal(11, net[5].CommitIndex);
    }

    private static readonly (string Name, long[] Terms, long Term)[] Figure7Logs =
    [
        ("leader", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6], 7),
        ("(a)", [1, 1, 1, 4, 4, 5, 5, 6, 6], 6),
        ("(b)", [1, 1, 1, 4], 4),
        ("(c)", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6], 6),
        ("(d)", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7], 7),
        ("(e)", [1, 1, 1, 4, 4, 4, 4], 4),
        ("(f)", [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3], 3),
    ];

    /// <summary>Nodes 1..7 hold the logs of Figure 7 (leader, then (a)..(f)), each with entry 1 committed.</summary>
    private static Network Figure7()
    {
        long[] voters = [1, 2, 3, 4, 5, 6, 7];
        var net = new Network(seed: 7);
        for (var i = 0; i < Figure7Logs.Length; i++)
        {
            net.Add(voters[i], Logs.Storage(voters, Figure7Logs[i].Terms, Figure7Logs[i].Term, commit: 1));
        }

        return net;
    }

    public static TheoryData<string, long[], long[]> DivergentLogs() => new()
    {
        // (name, leader's log, follower's log). First: after entry 1 the follower holds 1,000 entries of one
        // stale term, then 1,000 of another, none of which the leader has.
        { "two stale terms", Logs.Runs((1, 1), (1000, 2), (500, 5)), Logs.Runs((1, 1), (1000, 3), (1000, 4)) },
        { "lagging", Logs.Runs((1, 1), (1000, 2), (1000, 5)), Logs.Runs((1, 1), (10, 2)) },
        { "longer stale tail", Logs.Runs((1, 1), (1000, 2), (500, 9)), Logs.Runs((1, 1), (1000, 2), (200, 3), (200, 4), (200, 5), (200, 6), (200, 7), (200, 8)) },
        { "interleaved terms", Logs.Runs((1, 1), (300, 2), (300, 4), (300, 6), (300, 8)), Logs.Runs((1, 1), (300, 3), (300, 5), (300, 7)) },
    };

    /// <summary>
    /// Fast log backtracking (§5.3, last paragraphs; etcd's TestFastLogRejection): a follower with a long divergent
    /// log catches up within a number of rejections bounded by the number of distinct terms in the divergent
    /// parts of the two logs, not by the number of entries.
    /// </summary>
    [Theory]
    [MemberData(nameof(DivergentLogs))]
    public void FastBacktracking_RejectionsScaleWithTermsNotEntries(string name, long[] leaderLog, long[] followerLog)
    {
        long[] voters = [1, 2, 3];
        var leaderTerm = leaderLog[^1];
        var net = new Network(seed: 3);
        net.Add(1, Logs.Storage(voters, leaderLog, leaderTerm, commit: 1));
        net.Add(2, Logs.Storage(voters, followerLog, followerLog[^1], commit: 1));
        net.Add(3, Logs.Storage(voters, leaderLog, leaderTerm, commit: 1));

        net.Campaign(1);

        Assert.Equal(Role.Leader, net[1].Role);
        Assert.Equal(Logs.Describe(net.Storage(1)), Logs.Describe(net.Storage(2)));
        var rejections = net.Sent.OfType<AppendResponse>().Count(m => m.From == 2 && !m.Success);
        var common = leaderLog.Zip(followerLog).TakeWhile(p => p.First == p.Second).Count();
        var divergentTerms = leaderLog.Skip(common).Distinct().Count() + followerLog.Skip(common).Distinct().Count();
        var divergentEntries = Math.Max(leaderLog.Length, followerLog.Length) - common;
        Assert.True(
            rejections >= 1 && rejections <= divergentTerms,
            $"{name}: {rejections} rejections for {divergentEntries} divergent entries in {divergentTerms} terms");
        // Once the match point is found, the missing suffix goes out in one batch.
        Assert.Equal(1, net.Sent.OfType<AppendRequest>().Count(m => m.To == 2 && m.Entries.Length > 0 && m.Entries[0].Index <= common + 1));
    }

    [Fact]
    public void CommittedEntries_AreAppliedEverywhereInTheSameOrder()
    {
        var net = Network.Create(5, seed: 11);
        net.Campaign(1);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(net[1].Propose(new[] { (byte)i }).Accepted);
            if (i % 3 == 0)
            {
                net.Deliver();
            }
        }

        net.Deliver();
        net.Tick(1); // the last commit index reaches the followers with the next heartbeat or append

        var expected = net.Peer(1).Applied.Select(e => $"{e.Index}@{e.Term}").ToList();
        Assert.Equal(22, expected.Count); // configuration, no-op, 20 commands
        Assert.All(net.Peers, p => Assert.Equal(expected, p.Applied.Select(e => $"{e.Index}@{e.Term}")));
    }
}
