using OrleansRaft.Grains;
using OrleansRaft.Raft;

namespace OrleansRaft.Scenarios.Tests.Harness;

/// <summary>
/// Figure 3's properties, checked against what the replicas report (role, term, applied index) and what they
/// stored (<see cref="Testing.Cluster.RecordingLogStore"/>), sampled as often as the test calls them. Every
/// violation fails with the seed.
/// </summary>
public sealed class RaftInvariants(RaftTester ts)
{
    private readonly Dictionary<long, long> leaderOfTerm = [];
    private readonly Dictionary<(long Node, long Term), IReadOnlyList<LogEntry>> leaderLogs = [];
    private readonly Dictionary<long, LogEntry> appliedAt = [];
    private readonly Dictionary<long, long> appliedChecked = [];

    /// <summary>Terms in which some node was seen leading.</summary>
    public int LeaderTerms => leaderOfTerm.Count;

    /// <summary>Election Safety: at most one leader can be elected in a given term.</summary>
    public void ElectionSafety(IReadOnlyList<ReplicaStatus> statuses)
    {
        foreach (var status in statuses.Where(s => s.Role == "leader"))
        {
            if (leaderOfTerm.TryGetValue(status.Term, out var other) && other != status.NodeId)
            {
                throw ts.Fail($"nodes {other} and {status.NodeId} both lead term {status.Term}");
            }

            leaderOfTerm[status.Term] = status.NodeId;
        }
    }

    /// <summary>Leader Append-Only: a leader never overwrites or deletes entries in its log; it only appends.</summary>
    public void LeaderAppendOnly(IReadOnlyList<ReplicaStatus> statuses)
    {
        foreach (var status in statuses.Where(s => s.Role == "leader"))
        {
            var log = ts.Cluster.RecordedLog(status.NodeId);
            if (leaderLogs.TryGetValue((status.NodeId, status.Term), out var before))
            {
                foreach (var entry in before)
                {
                    if (log.Entry(entry.Index) is not { } now || !Same(entry, now))
                    {
                        throw ts.Fail($"leader {status.NodeId} of term {status.Term} changed its entry {entry.Index}@{entry.Term} to {Describe(log.Entry(entry.Index))}");
                    }
                }
            }

            leaderLogs[(status.NodeId, status.Term)] = log.Entries();
        }
    }

    /// <summary>
    /// Log Matching: if two logs contain an entry with the same index and term, the logs are identical in all
    /// entries up through that index. Compares every pair of stored logs, crashed nodes' included.
    /// </summary>
    public void LogMatching()
    {
        var logs = ts.Nodes.ToDictionary(id => id, id => ts.Cluster.RecordedLog(id).Entries());
        foreach (var a in ts.Nodes)
        {
            foreach (var b in ts.Nodes.Where(b => b > a))
            {
                CheckPair(a, logs[a], b, logs[b]);
            }
        }
    }

    /// <summary>
    /// Leader Completeness: an entry committed in a term is in the log of every leader of a later term. Checks the
    /// acknowledged writes against the stored log of every leader whose term is past the write's commit.
    /// </summary>
    public void LeaderCompleteness(IReadOnlyList<ReplicaStatus> statuses, IReadOnlyList<RaftAcknowledgedWrite> acknowledged)
    {
        foreach (var status in statuses.Where(s => s.Role == "leader"))
        {
            var log = ts.Cluster.RecordedLog(status.NodeId);
            foreach (var write in acknowledged.Where(w => w.CommittedBy < status.Term))
            {
                if (log.Entry(write.Index) is not { } entry || !Same(entry, write.Entry))
                {
                    throw ts.Fail(
                        $"leader {status.NodeId} of term {status.Term} lacks {write.Key}={write.Value}, committed by term {write.CommittedBy} at " +
                        $"{write.Index}@{write.Entry.Term}; it holds {Describe(log.Entry(write.Index))}");
                }
            }
        }
    }

    /// <summary>
    /// State Machine Safety: once a server applied an entry at an index, no server applies a different one there,
    /// ever (a restarted server applies its log again and is held to the same entries).
    /// </summary>
    public void StateMachineSafety(IReadOnlyList<ReplicaStatus> statuses)
    {
        foreach (var status in statuses)
        {
            var from = appliedChecked.GetValueOrDefault(status.NodeId);
            if (status.AppliedIndex < from)
            {
                from = 0; // restarted: it applies from the start again
            }

            var log = ts.Cluster.RecordedLog(status.NodeId);
            for (var index = from + 1; index <= status.AppliedIndex; index++)
            {
                if (log.Entry(index) is not { } entry)
                {
                    throw ts.Fail($"node {status.NodeId} applied index {index} but has no entry stored there");
                }

                if (!appliedAt.TryAdd(index, entry) && !Same(appliedAt[index], entry))
                {
                    throw ts.Fail($"node {status.NodeId} applied {Describe(entry)} where {Describe(appliedAt[index])} was applied before");
                }
            }

            appliedChecked[status.NodeId] = status.AppliedIndex;
        }
    }

    /// <summary>All the above that need no acknowledged writes.</summary>
    public void All(IReadOnlyList<ReplicaStatus> statuses)
    {
        ElectionSafety(statuses);
        LeaderAppendOnly(statuses);
        LogMatching();
        StateMachineSafety(statuses);
    }

    public static bool Same(LogEntry a, LogEntry b) =>
        a.Index == b.Index && a.Term == b.Term && a.Kind == b.Kind && a.Data.Span.SequenceEqual(b.Data.Span);

    public static string Describe(LogEntry? entry) => entry is { } e ? $"{e.Index}@{e.Term} {e.Kind} {RaftTester.CommandOf(e) ?? ""}" : "nothing";

    private void CheckPair(long a, IReadOnlyList<LogEntry> logA, long b, IReadOnlyList<LogEntry> logB)
    {
        // Both logs start at index 1 (no snapshots yet), so position i holds index i + 1.
        if ((logA.Count > 0 && logA[^1].Index != logA.Count) || (logB.Count > 0 && logB[^1].Index != logB.Count))
        {
            throw ts.Fail($"the stored log of node {a} or {b} does not run from index 1 without gaps");
        }

        var common = Math.Min(logA.Count, logB.Count);
        var highestMatch = -1;
        for (var i = common - 1; i >= 0; i--)
        {
            if (logA[i].Term == logB[i].Term)
            {
                highestMatch = i;
                break;
            }
        }

        for (var i = 0; i <= highestMatch; i++)
        {
            if (!Same(logA[i], logB[i]))
            {
                throw ts.Fail(
                    $"logs of nodes {a} and {b} share entry {logA[highestMatch].Index}@{logA[highestMatch].Term} but differ at index {logA[i].Index}: " +
                    $"{Describe(logA[i])} vs {Describe(logB[i])}");
            }
        }
    }
}
