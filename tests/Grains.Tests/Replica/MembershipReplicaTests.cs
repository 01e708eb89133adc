using System.Text;
using OrleansRaft.Raft;
using OrleansRaft.Testing.Cluster;

namespace OrleansRaft.Grains.Tests.Replica;

/// <summary>Membership change at runtime through the replica grain: learners, catch-up and promotion, removal, refusals.</summary>
public sealed class MembershipReplicaTests
{
    [Fact]
    public async Task ALearnerCatchesUpFromTheLogAndIsPromotedOnRequest()
    {
        await using var cluster = await TestCluster.StartAsync();
        var leader = await cluster.WaitForLeaderAsync();
        await PutAsync(cluster, leader, 0, 50);

        await cluster.AddNodeAsync(4);
        var learner = await ChangeAsync(cluster, leader, new MembershipRequest(MembershipRequestKind.AddLearner, 4, new Uri("http://127.0.0.1:7004")));
        Assert.Equal(MembershipStatus.Ok, learner.Status);
        Assert.Equal([1L, 2L, 3L], learner.Voters);
        Assert.Equal([4L], learner.Learners);

        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
        await AssertAllKeysAsync(cluster, 4, 50);
        var status = await StatusAsync(cluster, 4);
        Assert.Equal("learner", status.Role);
        Assert.Equal([4L], status.Learners);
        Assert.Equal("http://127.0.0.1:7004/", status.MemberAddresses[4]);
        Assert.False(cluster.Replica(4).Failure is not null);

        // Asking for a voter that is a learner already promotes it.
        var promoted = await ChangeAsync(cluster, leader, new MembershipRequest(MembershipRequestKind.AddVoter, 4));
        Assert.Equal(MembershipStatus.Ok, promoted.Status);
        Assert.Equal([1L, 2L, 3L, 4L], promoted.Voters);
        Assert.Empty(promoted.Learners);
    }

    [Fact]
    public async Task ANewVoterFarBehindCatchesUpByInstallSnapshotBeforeItIsPromoted()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { SnapshotEntries = 50, SnapshotTrailingEntries = 10 });
        var leader = await cluster.WaitForLeaderAsync();
        await PutAsync(cluster, leader, 0, 200);

        await cluster.AddNodeAsync(4);
        var added = await ChangeAsync(cluster, leader, new MembershipRequest(MembershipRequestKind.AddVoter, 4));

        Assert.Equal(MembershipStatus.Ok, added.Status);
        Assert.Equal([1L, 2L, 3L, 4L], added.Voters);
        Assert.True(cluster.RecordedLog(4).Installs > 0, "the new member got the leader's snapshot");
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
        await AssertAllKeysAsync(cluster, 4, 200);
    }

    [Fact]
    public async Task GrowingToFiveAndShrinkingToThreeUnderWritesLosesNoAcknowledgedWrite()
    {
        await using var cluster = await TestCluster.StartAsync();
        var leader = await cluster.WaitForLeaderAsync();
        var acknowledged = new List<string>();
        var next = 0;

        async Task WritesDuring(Func<Task<MembershipResult>> change)
        {
            var writes = Enumerable.Range(next, 20)
                .Select(i => (Key: $"key-{i}", Reply: cluster.Replica(leader).Put($"key-{i}", Encoding.UTF8.GetBytes($"value-{i}"), null, CancellationToken.None)))
                .ToList();
            next += 20;
            var result = await change();
            Assert.True(result.Status == MembershipStatus.Ok, $"{result.Status}: {result.Detail}");
            await cluster.RunAsync(Task.WhenAll(writes.Select(w => w.Reply)));
            acknowledged.AddRange(writes.Where(w => w.Reply.Result.Status == KvStatus.Ok).Select(w => w.Key));
        }

        foreach (var id in (long[])[4, 5])
        {
            await cluster.AddNodeAsync(id);
            await WritesDuring(() => ChangeAsync(cluster, leader, new MembershipRequest(MembershipRequestKind.AddVoter, id)));
        }

        var grown = await StatusAsync(cluster, leader);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], grown.Voters);
        foreach (var id in cluster.NodeIds.Where(id => id != leader && id <= 3).ToList())
        {
            await WritesDuring(() => cluster.RemoveNodeAsync(id));
        }

        var final = await StatusAsync(cluster, leader);
        Assert.Equal(3, final.Voters.Length);
        Assert.Contains(4L, final.Voters);
        Assert.Contains(5L, final.Voters);
        Assert.Equal(next, acknowledged.Count); // no write was refused: the leader stayed throughout
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
        foreach (var id in final.Voters)
        {
            foreach (var key in acknowledged)
            {
                var read = await cluster.RunAsync(cluster.Replica(id).Get(key, ReadConsistency.Stale, CancellationToken.None));
                Assert.True(read.Status == KvStatus.Ok, $"node {id} lacks {key}");
            }
        }
    }

    [Fact]
    public async Task ARemovedLeaderStepsDownAndTheOthersElectANewOne()
    {
        await using var cluster = await TestCluster.StartAsync();
        var leader = await cluster.WaitForLeaderAsync();

        var removed = await ChangeAsync(cluster, leader, new MembershipRequest(MembershipRequestKind.Remove, leader));

        Assert.Equal(MembershipStatus.Ok, removed.Status);
        Assert.DoesNotContain(leader, removed.Voters);
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.NotEqual("leader", (await StatusAsync(cluster, leader)).Role);
        var rest = cluster.NodeIds.Where(id => id != leader).ToList();
        var statuses = new List<ReplicaStatus>();
        foreach (var id in rest)
        {
            statuses.Add(await StatusAsync(cluster, id));
        }

        var successor = Assert.Single(statuses, s => s.Role == "leader");
        Assert.Equal(rest, successor.Voters);
        var put = await cluster.RunAsync(cluster.Replica(successor.NodeId).Put("after", "x"u8.ToArray(), null, CancellationToken.None));
        Assert.Equal(KvStatus.Ok, put.Status);
    }

    [Fact]
    public async Task InvalidChangesAreRefusedWithTheirReason()
    {
        await using var cluster = await TestCluster.StartAsync();
        var leader = await cluster.WaitForLeaderAsync();
        var follower = cluster.NodeIds.First(id => id != leader);

        var existing = await ChangeAsync(cluster, leader, new MembershipRequest(MembershipRequestKind.AddVoter, follower));
        var unknown = await ChangeAsync(cluster, leader, new MembershipRequest(MembershipRequestKind.Remove, 9));
        var notLeader = await ChangeAsync(cluster, follower, new MembershipRequest(MembershipRequestKind.AddLearner, 4));

        Assert.Equal((MembershipStatus.Refused, ProposeStatus.AlreadyMember), (existing.Status, existing.Reason));
        Assert.Equal((MembershipStatus.Refused, ProposeStatus.NotMember), (unknown.Status, unknown.Reason));
        Assert.Equal(MembershipStatus.NotLeader, notLeader.Status);
        Assert.Equal(leader, notLeader.LeaderHint);

        // A second change while a voter is still catching up (node 4 is not even started yet).
        var first = cluster.Replica(leader).ChangeMembership(new MembershipRequest(MembershipRequestKind.AddVoter, 4), CancellationToken.None);
        var second = await ChangeAsync(cluster, leader, new MembershipRequest(MembershipRequestKind.AddLearner, 5));
        Assert.Equal((MembershipStatus.Refused, ProposeStatus.ChangeInProgress), (second.Status, second.Reason));

        await cluster.AddNodeAsync(4);
        Assert.Equal(MembershipStatus.Ok, (await cluster.RunAsync(first)).Status);

        // Nothing was left behind by the refusals: the address map is untouched and the configuration is the expected one.
        var status = await StatusAsync(cluster, leader);
        Assert.Equal([1L, 2L, 3L, 4L], status.Voters);
        Assert.Empty(status.MemberAddresses);
    }

    [Fact]
    public async Task TheLastVoterCannotBeRemoved()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Size = 1 });
        var leader = await cluster.WaitForLeaderAsync();

        var last = await ChangeAsync(cluster, leader, new MembershipRequest(MembershipRequestKind.Remove, leader));

        Assert.Equal((MembershipStatus.Refused, ProposeStatus.LastVoter), (last.Status, last.Reason));
        Assert.Equal("leader", (await StatusAsync(cluster, leader)).Role);
    }

    [Fact]
    public async Task ARemovedNodeLeftRunningDoesNotDisruptTheCluster()
    {
        await using var cluster = await TestCluster.StartAsync();
        var leader = await cluster.WaitForLeaderAsync();
        var outcast = cluster.NodeIds.First(id => id != leader);
        // It never hears of its removal: it still believes it is a voter and times out.
        cluster.Network.Disconnect(outcast);
        var removed = await ChangeAsync(cluster, leader, new MembershipRequest(MembershipRequestKind.Remove, outcast));
        Assert.Equal(MembershipStatus.Ok, removed.Status);
        var before = await StatusAsync(cluster, leader);

        cluster.Network.Connect(outcast);
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(5));

        var after = await StatusAsync(cluster, leader);
        Assert.Equal("leader", after.Role);
        Assert.Equal(before.Term, after.Term);
        var put = await cluster.RunAsync(cluster.Replica(leader).Put("still", "here"u8.ToArray(), null, CancellationToken.None));
        Assert.Equal(KvStatus.Ok, put.Status);
    }

    private static Task<MembershipResult> ChangeAsync(TestCluster cluster, long node, MembershipRequest request) =>
        cluster.RunAsync(cluster.Replica(node).ChangeMembership(request, CancellationToken.None));

    private static Task<ReplicaStatus> StatusAsync(TestCluster cluster, long node) =>
        cluster.RunAsync(cluster.Replica(node).Status(CancellationToken.None));

    private static async Task PutAsync(TestCluster cluster, long leader, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            var put = await cluster.RunAsync(cluster.Replica(leader).Put($"key-{i}", Encoding.UTF8.GetBytes($"value-{i}"), null, CancellationToken.None));
            Assert.Equal(KvStatus.Ok, put.Status);
        }
    }

    private static async Task AssertAllKeysAsync(TestCluster cluster, long node, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var read = await cluster.RunAsync(cluster.Replica(node).Get($"key-{i}", ReadConsistency.Stale, CancellationToken.None));
            Assert.True(read.Status == KvStatus.Ok, $"node {node} lacks key-{i}: {read.Status}");
            Assert.Equal($"value-{i}", Encoding.UTF8.GetString(read.Value!));
        }
    }
}
