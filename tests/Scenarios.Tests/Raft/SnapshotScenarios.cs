using System.Runtime.CompilerServices;
using OrleansRaft.Scenarios.Tests.Harness;
using OrleansRaft.Testing.Cluster;
using Xunit.Abstractions;

namespace OrleansRaft.Scenarios.Tests.Raft;

/// <summary>
/// MIT 6.5840 lab 3D: log compaction (§7). The lab's service snapshots every SnapShotInterval entries; here the
/// replica grain snapshots itself every <see cref="SnapshotEntries"/> applied entries and keeps
/// <c>SnapshotTrailingEntries</c> (0-3, one value per scenario) behind. Every scenario checks snapshots and applied
/// entries as it goes (<see cref="RaftSnapshotInvariants"/>) and ends with every server holding the last command.
/// </summary>
public sealed class SnapshotScenarios(ITestOutputHelper output)
{
    /// <summary>6.5840's SnapShotInterval: a round sends half to one and a half of it in commands.</summary>
    private const int SnapShotInterval = 10;

    /// <summary>
    /// Twice as often as the lab's service snapshots, so a follower left out of a round (2 + 5..14 entries) nearly
    /// always finds the leader's log compacted past it.
    /// </summary>
    private const int SnapshotEntries = SnapShotInterval / 2;

    private const int Iterations = 30;

    [Fact]
    public Task SnapshotBasic() => SnapCommonAsync(disconnect: false, reliable: true, crash: false, trailing: 0);

    [Fact]
    public Task SnapshotInstall() => SnapCommonAsync(disconnect: true, reliable: true, crash: false, trailing: 1);

    [Fact]
    public Task SnapshotInstallUnreliable() => SnapCommonAsync(disconnect: true, reliable: false, crash: false, trailing: 2);

    /// <summary>
    /// <see cref="SnapshotInstallUnreliable"/> with labrpc's long reordering: two replies in three held back 200-2200 ms,
    /// so acknowledgements, rejections and snapshot answers come back long after newer ones. CheckQuorum is off: it
    /// needs replies within an election timeout (100 ms here), which long reordering denies, so with it leaders step
    /// down again and again (about half the seeds fail to agree within one()'s 10 s); 6.5840's Raft has no CheckQuorum.
    /// </summary>
    [Fact]
    public Task SnapshotInstallLongReordering() => SnapCommonAsync(disconnect: true, reliable: false, crash: false, trailing: 2, longReordering: true);

    [Fact]
    public Task SnapshotInstallCrash() => SnapCommonAsync(disconnect: false, reliable: true, crash: true, trailing: 3);

    [Fact]
    public Task SnapshotInstallUnCrash() => SnapCommonAsync(disconnect: false, reliable: false, crash: true, trailing: 0);

    /// <summary>Do the servers keep their snapshots, and restart from them with the tail of the log?</summary>
    [Fact]
    public async Task SnapshotAllCrash()
    {
        await using var ts = await StartAsync(reliable: true, trailing: 2);
        var invariants = Invariants(ts, trailing: 2);
        await ts.OneAsync(ts.NewCommand(), ts.Servers, retry: true);

        for (var iteration = 0; iteration < 5; iteration++)
        {
            // Perhaps enough to get a snapshot.
            var nn = (SnapShotInterval / 2) + ts.Random.Next(SnapShotInterval);
            for (var i = 0; i < nn; i++)
            {
                await ts.OneAsync(ts.NewCommand(), ts.Servers, retry: true);
            }

            var index1 = await ts.OneAsync(ts.NewCommand(), ts.Servers, retry: true);
            await CrashAndRestartAllAsync(ts, invariants);

            var index2 = await ts.OneAsync(ts.NewCommand(), ts.Servers, retry: true);
            if (index2 < index1 + 1)
            {
                throw ts.Fail($"index decreased from {index1} to {index2}");
            }

            await invariants.CheckAsync();
        }

        await CheckAllHoldLastAsync(ts, invariants);
    }

    /// <summary>
    /// Does a restarted server start from its snapshot, and keep it through the writes that follow, so that a second
    /// crash finds it still there?
    /// </summary>
    [Fact]
    public async Task SnapshotInit()
    {
        await using var ts = await StartAsync(reliable: true, trailing: 1);
        var invariants = Invariants(ts, trailing: 1);
        await ts.OneAsync(ts.NewCommand(), ts.Servers, retry: true);

        // Enough to make a snapshot.
        for (var i = 0; i < SnapShotInterval + 1; i++)
        {
            await ts.OneAsync(ts.NewCommand(), ts.Servers, retry: true);
        }

        await CrashAndRestartAllAsync(ts, invariants);

        // A single write, so that something is written back to the stores.
        await ts.OneAsync(ts.NewCommand(), ts.Servers, retry: true);
        await CrashAndRestartAllAsync(ts, invariants);

        // Another write, which a lost snapshot would trip over.
        await ts.OneAsync(ts.NewCommand(), ts.Servers, retry: true);
        await CheckAllHoldLastAsync(ts, invariants);
    }

    /// <summary>
    /// 6.5840's snapcommon: each round a follower (every third round the leader) is disconnected or crashed while the
    /// others take 5-14 commands and compact; back again, it must catch up. When every other server's log starts past
    /// the end of its own, only InstallSnapshot can bring it up to date, and that must be what happened.
    /// </summary>
    private async Task SnapCommonAsync(bool disconnect, bool reliable, bool crash, int trailing, bool longReordering = false, [CallerMemberName] string name = "")
    {
        await using var ts = await StartAsync(reliable, trailing, name, checkQuorum: !longReordering);
        if (longReordering)
        {
            ts.SetLongReordering();
        }

        var invariants = Invariants(ts, trailing);
        var servers = ts.Servers;
        var laggingRounds = 0;

        await ts.OneAsync(ts.NewCommand(), servers, retry: true);
        var leader1 = await ts.CheckOneLeaderAsync();

        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var victim = ts.Peer(leader1, 1);
            var sender = leader1;
            if (iteration % 3 == 1)
            {
                sender = ts.Peer(leader1, 1);
                victim = leader1;
            }

            if (disconnect)
            {
                ts.Disconnect(victim);
                await ts.OneAsync(ts.NewCommand(), servers - 1, retry: true);
            }

            if (crash)
            {
                await ts.CrashAsync(victim);
                await ts.OneAsync(ts.NewCommand(), servers - 1, retry: true);
            }

            // Perhaps send enough to get a snapshot (refused unless the sender leads).
            var nn = (SnapShotInterval / 2) + ts.Random.Next(SnapShotInterval);
            await ts.StartAllAsync(sender, [.. Enumerable.Range(0, nn).Select(_ => ts.NewCommand())]);

            // Let the servers catch up with the Starts; in SnapshotBasic all of them, so no InstallSnapshot is needed.
            await ts.OneAsync(ts.NewCommand(), disconnect || crash ? servers - 1 : servers, retry: true);
            await invariants.CheckAsync();

            if (disconnect || crash)
            {
                var victimLog = ts.Cluster.RecordedLog(victim);
                var (behind, installs) = (victimLog.LastIndex, victimLog.Installs);
                var compactedPast = ts.Nodes.Where(n => n != victim).All(n => ts.Cluster.RecordedLog(n).FirstIndex > behind + 1);

                // Reconnect (or restart) the victim, which may be behind and need a snapshot to catch up.
                if (crash)
                {
                    await ts.RestartAsync(victim);
                }
                else
                {
                    ts.Connect(victim);
                }

                var index = await ts.OneAsync(ts.NewCommand(), servers, retry: true);
                await invariants.CheckAsync();
                if (compactedPast)
                {
                    laggingRounds++;
                    if (victimLog.Installs == installs)
                    {
                        throw ts.Fail($"node {victim} ended at {behind}, every other log was compacted past it, yet it reached {index} without installing a snapshot");
                    }
                }

                leader1 = await ts.CheckOneLeaderAsync();
            }
        }

        if (disconnect || crash)
        {
            // Without such rounds this would be a test of log replication, not of InstallSnapshot.
            if (laggingRounds < Iterations / 2)
            {
                throw ts.Fail($"only {laggingRounds} of {Iterations} rounds left a server behind every other server's compacted log");
            }
        }
        else
        {
            foreach (var node in ts.Nodes)
            {
                var log = ts.Cluster.RecordedLog(node);
                if (log.SnapshotIndex == 0 || log.Installs > 0)
                {
                    throw ts.Fail($"node {node} took no snapshot of its own or installed one ({log.Installs} installs) though it never fell behind");
                }
            }
        }

        output.WriteLine($"{name}: {laggingRounds} rounds caught up by InstallSnapshot, {invariants.SnapshotsChecked} snapshots checked, at most {invariants.MostRetainedEntries} entries in a store");
        await CheckAllHoldLastAsync(ts, invariants);
    }

    private async Task<RaftTester> StartAsync(bool reliable, int trailing, [CallerMemberName] string name = "", bool checkQuorum = true) =>
        await RaftTester.StartAsync(
            3,
            Seeds.For(1),
            reliable,
            new TestClusterOptions { SnapshotEntries = SnapshotEntries, SnapshotTrailingEntries = trailing, CheckQuorum = checkQuorum },
            output,
            name);

    /// <summary>
    /// A store holds the trailing entries, fewer than <see cref="SnapshotEntries"/> applied since its last snapshot,
    /// those applied while a snapshot is being written, and a few not applied yet.
    /// </summary>
    private static RaftSnapshotInvariants Invariants(RaftTester ts, int trailing) => new(ts, (2 * SnapshotEntries) + trailing + 5);

    /// <summary>
    /// Crashes every server, then restarts them all, after checking what they applied (so the history is known).
    /// Each must come back from the snapshot it stored, with the state of the entries it covers, which the store
    /// no longer holds, so it cannot have applied them again.
    /// </summary>
    private static async Task CrashAndRestartAllAsync(RaftTester ts, RaftSnapshotInvariants invariants)
    {
        await invariants.CheckAsync();
        foreach (var node in ts.Nodes)
        {
            await ts.CrashAsync(node);
        }

        // Taken after the crash: a snapshot being written when the replica stopped is stored or not by now.
        var stored = ts.Nodes.ToDictionary(n => n, n => ts.Cluster.RecordedLog(n).SnapshotIndex);

        foreach (var node in ts.Nodes)
        {
            await ts.RestartAsync(node);
        }

        foreach (var status in await ts.StatusesAsync())
        {
            var log = ts.Cluster.RecordedLog(status.NodeId);
            if (stored[status.NodeId] == 0 || status.SnapshotIndex != stored[status.NodeId] || log.SnapshotIndex != stored[status.NodeId])
            {
                throw ts.Fail($"node {status.NodeId} stored a snapshot at {stored[status.NodeId]} but restarted with one at {status.SnapshotIndex} (store: {log.SnapshotIndex})");
            }

            if (log.FirstIndex <= 1 || status.AppliedIndex < status.SnapshotIndex)
            {
                throw ts.Fail($"node {status.NodeId} restarted with its log from {log.FirstIndex}, applied {status.AppliedIndex}, snapshot at {status.SnapshotIndex}");
            }

            var held = (await ts.ReadLocallyAsync(status.NodeId, [RaftTester.Key]))[0];
            var expected = invariants.ValueAt(status.AppliedIndex);
            if (held != expected)
            {
                throw ts.Fail($"node {status.NodeId} restarted at applied index {status.AppliedIndex} holding {RaftTester.Key}={held ?? "nothing"}, not {expected ?? "nothing"}");
            }
        }
    }

    /// <summary>6.5840's end of test: once the network heals, every server holds what the last command wrote.</summary>
    private static async Task CheckAllHoldLastAsync(RaftTester ts, RaftSnapshotInvariants invariants)
    {
        ts.SetReliable(true);
        var statuses = await ts.ConvergeAsync(TimeSpan.FromSeconds(10));
        await invariants.CheckAsync();
        var expected = invariants.ValueAt(statuses[0].AppliedIndex);
        foreach (var node in ts.Nodes)
        {
            var held = (await ts.ReadLocallyAsync(node, [RaftTester.Key]))[0];
            if (held is null || held != expected)
            {
                throw ts.Fail($"node {node} holds {RaftTester.Key}={held ?? "nothing"} after convergence, not {expected ?? "nothing"}");
            }
        }
    }
}
