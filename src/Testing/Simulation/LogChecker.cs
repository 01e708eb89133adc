using OrleansRaft.Raft;

namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// The log properties of Raft (Figure 3): election safety, leader append-only, log matching and leader
/// completeness, plus the global committed log they are checked against.
/// </summary>
public sealed class LogChecker(SimNode[] nodes, EventQueue clock)
{
    private readonly Dictionary<long, long> leaderOfTerm = [];
    private readonly List<CommittedEntry> committed = [default];
    private readonly List<(long Index, Configuration Configuration)> committedConfigurations = [];

    /// <summary>The highest index any node has ever reported committed.</summary>
    public long CommittedIndex => committed.Count - 1;

    /// <summary>Terms in which a leader was observed.</summary>
    public long Elections => leaderOfTerm.Count;

    public CommittedEntry Committed(long index) => committed[(int)index];

    /// <summary>The configuration of the newest committed configuration entry at or below <paramref name="index"/>.</summary>
    public Configuration CommittedConfigurationAt(long index)
    {
        for (var i = committedConfigurations.Count - 1; i >= 0; i--)
        {
            if (committedConfigurations[i].Index <= index)
            {
                return committedConfigurations[i].Configuration;
            }
        }

        return Configuration.Empty;
    }

    /// <summary>Everything observable about a quiescent, running node (its Ready loop drained).</summary>
    public void Observe(SimNode node)
    {
        var raft = node.Running;
        CheckHardState(node, raft);
        CheckLogView(node, raft);
        CheckConfiguration(node, raft);
        ObserveCommit(node, raft);
        ObserveLeader(node, raft);
    }

    /// <summary>
    /// Log matching: if two stored logs hold an entry with the same index and term, they are identical up to it.
    /// Under the property the indices where the terms agree form a prefix [1, k]; find k from the top and
    /// compare the chain hashes there. Compacted logs are compared over what both still hold (and a snapshot's
    /// chain hash stands for the prefix it replaced).
    /// </summary>
    public void CheckLogMatching(SimNode node)
    {
        var a = node.Live;
        foreach (var other in nodes)
        {
            if (other == node)
            {
                continue;
            }

            var b = other.Live;
            var low = Math.Max(a.KnownFrom, b.KnownFrom);
            var k = Math.Min(a.LastIndex, b.LastIndex);
            while (k > low && a.Term(k) != b.Term(k))
            {
                k--;
            }

            if (k > 0 && k >= low && a.Term(k) == b.Term(k) && a.ChainAt(k) != b.ChainAt(k))
            {
                var first = FirstDifference(a, b, low, k);
                Fail(
                    "log-matching",
                    $"nodes {node.Id} and {other.Id} both hold index {k} term {a.Term(k)} but their logs differ at index " +
                    $"{first} (terms {a.Term(first)} vs {b.Term(first)})");
            }
        }

        node.LogDirty = false;
    }

    private void CheckHardState(SimNode node, RaftNode raft)
    {
        var hs = node.Live.HardState;
        if (raft.Term != hs.Term || raft.Vote != hs.Vote)
        {
            Fail(
                "hard-state",
                $"node {node.Id} runs at term {raft.Term} vote {raft.Vote} but persisted term {hs.Term} vote {hs.Vote} " +
                "(a crash now would forget them)");
        }

        if (raft.Term < node.ObservedTerm)
        {
            Fail("term-monotonic", $"node {node.Id} term went from {node.ObservedTerm} down to {raft.Term}");
        }

        node.ObservedTerm = raft.Term;
    }

    /// <summary>The configuration in force is the newest one in the stored log, or its snapshot's (thesis §4.1).</summary>
    private void CheckConfiguration(SimNode node, RaftNode raft)
    {
        if (!raft.Configuration.Equals(node.Live.Configuration))
        {
            Fail(
                "configuration",
                $"node {node.Id} term {raft.Term} runs with {raft.Configuration} but its stored log and snapshot say {node.Live.Configuration}");
        }
    }

    /// <summary>With nothing left to persist, the core's view of its log must be the stored log.</summary>
    private void CheckLogView(SimNode node, RaftNode raft)
    {
        var last = node.Live.LastIndex;
        if (raft.LastIndex != last)
        {
            Fail("log-view", $"node {node.Id} term {raft.Term}: core's last index {raft.LastIndex} but stored last index {last}");
        }

        if (last > 0 && (!raft.TryGetTerm(last, out var t) || t != node.Live.Term(last)))
        {
            Fail("log-view", $"node {node.Id} term {raft.Term}: core's term at index {last} differs from stored term {node.Live.Term(last)}");
        }
    }

    private void ObserveCommit(SimNode node, RaftNode raft)
    {
        var c = raft.CommitIndex;
        if (c < node.ObservedCommit)
        {
            Fail("commit-monotonic", $"node {node.Id} term {raft.Term}: commit index went from {node.ObservedCommit} down to {c}");
        }

        var log = node.Live;
        if (raft.Role == Role.Leader && node.LeaderTerm == raft.Term && c > node.ObservedCommit && log.Term(c) != raft.Term)
        {
            // §5.4.2: a leader commits by counting replicas only entries of its own term (Figure 8).
            Fail(
                "commit-current-term",
                $"node {node.Id}, leader of term {raft.Term}, advanced its commit index from {node.ObservedCommit} to {c}, " +
                $"an entry of term {log.Term(c)}");
        }

        node.ObservedCommit = c;
        if (c > log.LastIndex)
        {
            Fail("commit-index", $"node {node.Id} term {raft.Term}: commit index {c} is beyond its stored last index {log.LastIndex}");
        }

        if (c < log.KnownFrom)
        {
            Fail("commit-index", $"node {node.Id} term {raft.Term}: commit index {c} is below its snapshot at {log.KnownFrom}");
        }

        var k = Math.Min(c, CommittedIndex);
        if (k > 0 && k >= log.KnownFrom && log.ChainAt(k) != committed[(int)k].Chain)
        {
            var i = FirstDifference(log, k);
            Fail(
                "committed-entry",
                $"node {node.Id} term {raft.Term} commit index {c}: its entry at index {i} (term {log.Term(i)}) differs from " +
                $"the committed entry (term {committed[(int)i].Term}, committed in term {committed[(int)i].CommitTerm})");
        }

        if (c > CommittedIndex && CommittedIndex < log.KnownFrom)
        {
            Fail("snapshot-uncommitted", $"node {node.Id} term {raft.Term} holds a snapshot at {log.KnownFrom}, beyond every commit index seen ({CommittedIndex})");
        }

        for (var i = CommittedIndex + 1; i <= c; i++)
        {
            committed.Add(new CommittedEntry(log.Term(i), log.ChainAt(i), Math.Max(raft.Term, committed[^1].CommitTerm)));
            if (log.ConfigurationEntryAt(i) is { } configuration)
            {
                committedConfigurations.Add((i, configuration));
            }
        }
    }

    private void ObserveLeader(SimNode node, RaftNode raft)
    {
        if (raft.Role != Role.Leader)
        {
            node.LeaderTerm = 0;
            return;
        }

        var term = raft.Term;
        var log = node.Live;
        if (!raft.Configuration.IsVoter(node.Id) && log.ConfigurationIndex <= raft.CommitIndex)
        {
            // Thesis §4.2.2: a leader outside the configuration steps down once that configuration is committed.
            Fail("removed-leader", $"node {node.Id} leads term {term} though {raft.Configuration}, committed at {log.ConfigurationIndex}, leaves it out");
        }

        if (node.LeaderTerm != term)
        {
            if (leaderOfTerm.TryGetValue(term, out var other) && other != node.Id)
            {
                Fail("election-safety", $"nodes {other} and {node.Id} were both leader in term {term}");
            }

            leaderOfTerm[term] = node.Id;
            CheckLeaderCompleteness(node, term);
            node.LeaderTerm = term;
        }
        else if (log.LastIndex < node.LeaderLastIndex ||
            (node.LeaderLastIndex >= log.KnownFrom && log.ChainAt(node.LeaderLastIndex) != node.LeaderChain))
        {
            Fail(
                "leader-append-only",
                $"leader {node.Id} of term {term} held index {node.LeaderLastIndex}, now its last index is {log.LastIndex} " +
                "and its log up to the old last index changed");
        }

        node.LeaderLastIndex = log.LastIndex;
        node.LeaderChain = log.ChainAt(log.LastIndex);
    }

    /// <summary>A leader of term T holds every entry committed in a term below T (§5.4).</summary>
    private void CheckLeaderCompleteness(SimNode node, long term)
    {
        // largest j with CommitTerm < term; CommitTerm is non-decreasing in the index
        long lo = 0, hi = CommittedIndex;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (committed[(int)mid].CommitTerm < term)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        // Entries the new leader compacted are vouched for by its snapshot's chain hash.
        var log = node.Live;
        var j = Math.Max(lo, Math.Min(log.KnownFrom, CommittedIndex));
        if (j > 0 && (log.LastIndex < j || log.ChainAt(j) != committed[(int)j].Chain))
        {
            var i = FirstDifference(log, Math.Min(j, log.LastIndex));
            Fail(
                "leader-completeness",
                $"node {node.Id} became leader of term {term} with last index {log.LastIndex} but lacks committed index {j} " +
                $"(committed in term {committed[(int)j].CommitTerm}); first missing/different index {i}");
        }
    }

    /// <summary>The first index at which <paramref name="log"/> departs from the committed log (for messages).</summary>
    private long FirstDifference(HashedLog log, long upTo)
    {
        for (var i = Math.Max(1, log.KnownFrom); i <= upTo; i++)
        {
            if (log.ChainAt(i) != committed[(int)i].Chain)
            {
                return i;
            }
        }

        return upTo + 1;
    }

    private static long FirstDifference(HashedLog a, HashedLog b, long from, long upTo)
    {
        for (var i = Math.Max(1, from); i <= upTo; i++)
        {
            if (a.ChainAt(i) != b.ChainAt(i))
            {
                return i;
            }
        }

        return upTo + 1;
    }

    private void Fail(string property, string detail) =>
        throw new SimulationFailureException($"[{property}] t={clock.Now}ms: {detail}");
}
