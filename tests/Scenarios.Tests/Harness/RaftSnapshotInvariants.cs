using System.Text;
using OrleansRaft.Grains;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Raft;

namespace OrleansRaft.Scenarios.Tests.Harness;

/// <summary>
/// Figure 3's State Machine Safety and Log Matching for replicas that compact their logs (§7), with what 6.5840 3D
/// adds: its applierSnap checks each snapshot against what the servers applied, and "Raft state size too large"
/// bounds the log a server keeps. A replica that installed or restarted from a snapshot no longer holds the entries
/// it covers, so those are checked through the snapshot: its state must be the one the applied entries make.
/// Checked as often as the test calls <see cref="CheckAsync"/>; the history is kept across crashes.
/// </summary>
public sealed class RaftSnapshotInvariants(RaftTester ts, long maxRetainedEntries)
{
    private readonly Dictionary<long, LogEntry> appliedAt = [];
    private readonly Dictionary<long, long> appliedChecked = [];
    private readonly HashSet<(long Node, long Index)> snapshotsChecked = [];

    /// <summary>Snapshots whose contents were checked, counting each replica's copy once.</summary>
    public int SnapshotsChecked => snapshotsChecked.Count;

    /// <summary>The most entries any replica's store held at a check.</summary>
    public long MostRetainedEntries { get; private set; }

    public async Task CheckAsync()
    {
        var statuses = await ts.StatusesAsync();
        StateMachineSafety(statuses);
        Snapshots();
        LogMatching();
        LogSize();
    }

    /// <summary>
    /// The value of <see cref="RaftTester.Key"/> once every entry up to <paramref name="index"/> is applied: the
    /// command of the last write there, or null if none. Fails if the history has a hole (an index no check saw
    /// applied), since then the answer is unknown.
    /// </summary>
    public string? ValueAt(long index)
    {
        for (var i = index; i >= 1; i--)
        {
            if (!appliedAt.TryGetValue(i, out var entry))
            {
                throw ts.Fail($"no check saw index {i} applied, so the state at {index} is unknown (check more often)");
            }

            if (RaftTester.CommandOf(entry) is { } command)
            {
                return command;
            }
        }

        return null;
    }

    /// <summary>
    /// Once a server applied an entry at an index, no server applies a different one there. An index a server holds
    /// no entry for must be covered by its snapshot.
    /// </summary>
    private void StateMachineSafety(IReadOnlyList<ReplicaStatus> statuses)
    {
        foreach (var status in statuses)
        {
            var from = appliedChecked.GetValueOrDefault(status.NodeId);
            if (status.AppliedIndex < from)
            {
                from = 0; // restarted from an older snapshot: check what it holds again
            }

            var log = ts.Cluster.RecordedLog(status.NodeId);
            for (var index = from + 1; index <= status.AppliedIndex; index++)
            {
                if (log.Entry(index) is not { } entry)
                {
                    if (index <= log.SnapshotIndex)
                    {
                        continue; // applied through the snapshot: Snapshots() checks it
                    }

                    throw ts.Fail($"node {status.NodeId} applied index {index} but holds neither an entry nor a snapshot covering it");
                }

                if (!appliedAt.TryAdd(index, entry) && !RaftInvariants.Same(appliedAt[index], entry))
                {
                    throw ts.Fail($"node {status.NodeId} applied {RaftInvariants.Describe(entry)} where {RaftInvariants.Describe(appliedAt[index])} was applied before");
                }
            }

            appliedChecked[status.NodeId] = status.AppliedIndex;
        }
    }

    /// <summary>
    /// 6.5840's applierSnap: each replica's newest snapshot decodes, covers the index and term it claims, and holds
    /// the state the entries applied up to there make.
    /// </summary>
    private void Snapshots()
    {
        foreach (var node in ts.Nodes)
        {
            if (ts.Cluster.RecordedLog(node).Snapshot is not { } snapshot || !snapshotsChecked.Add((node, snapshot.Index)))
            {
                continue;
            }

            var state = new KvStateMachine();
            try
            {
                using var data = new MemoryStream(snapshot.Data.ToArray(), writable: false);
                state.Restore(data);
            }
            catch (InvalidDataException e)
            {
                throw ts.Fail($"node {node}'s {snapshot} does not decode: {e.Message}");
            }

            if (state.AppliedIndex != snapshot.Index)
            {
                throw ts.Fail($"node {node}'s {snapshot} holds the state machine as of {state.AppliedIndex}");
            }

            if (appliedAt.TryGetValue(snapshot.Index, out var last) && last.Term != snapshot.Term)
            {
                throw ts.Fail($"node {node}'s {snapshot} ends in term {snapshot.Term}, but {RaftInvariants.Describe(last)} was applied there");
            }

            var expected = ValueAt(snapshot.Index);
            var held = state.TryGet(RaftTester.Key, out var value) ? Encoding.UTF8.GetString(value) : null;
            if (held != expected)
            {
                throw ts.Fail($"node {node}'s {snapshot} holds {RaftTester.Key}={held ?? "nothing"}, but the entries applied up to {snapshot.Index} make {expected ?? "nothing"}");
            }
        }
    }

    /// <summary>
    /// Log Matching over what each replica stored, compacted entries included: if two logs hold an entry with the same
    /// index and term, they hold the same entries at every index below that both still have.
    /// </summary>
    private void LogMatching()
    {
        var logs = ts.Nodes.ToDictionary(id => id, id => ts.Cluster.RecordedLog(id).Entries().ToDictionary(e => e.Index));
        foreach (var a in ts.Nodes)
        {
            foreach (var b in ts.Nodes.Where(b => b > a))
            {
                var common = logs[a].Keys.Where(logs[b].ContainsKey).Order().ToList();
                var highestMatch = common.LastOrDefault(i => logs[a][i].Term == logs[b][i].Term);
                foreach (var index in common.TakeWhile(i => i <= highestMatch))
                {
                    if (!RaftInvariants.Same(logs[a][index], logs[b][index]))
                    {
                        throw ts.Fail(
                            $"logs of nodes {a} and {b} share entry {highestMatch}@{logs[a][highestMatch].Term} but differ at index {index}: " +
                            $"{RaftInvariants.Describe(logs[a][index])} vs {RaftInvariants.Describe(logs[b][index])}");
                    }
                }
            }
        }
    }

    /// <summary>6.5840's "Raft state size too large": compaction keeps every store's log short.</summary>
    private void LogSize()
    {
        foreach (var node in ts.Nodes)
        {
            var retained = ts.Cluster.RecordedLog(node).RetainedEntries;
            MostRetainedEntries = Math.Max(MostRetainedEntries, retained);
            if (retained > maxRetainedEntries)
            {
                throw ts.Fail($"Raft state size too large: node {node}'s store holds {retained} entries (at most {maxRetainedEntries} allowed)");
            }
        }
    }
}
