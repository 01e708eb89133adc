using System.Buffers.Binary;
using OrleansRaft.Raft;

namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// State machine safety (every node applies the same entry at each index, in order, only once committed),
/// exactly-once commands, acknowledged proposals, linearizable ReadIndex answers, and snapshots: a state machine
/// restored from a snapshot is exactly the state every other node reached by applying up to its index.
/// </summary>
public sealed class ApplyChecker(LogChecker log, EventQueue clock)
{
    private readonly List<AppliedEntry> applied = [default];
    private readonly List<ulong> states = [Fnv.Offset];
    private readonly HashSet<long> appliedCommands = [];
    private readonly List<Proposal> acknowledged = [];

    /// <summary>The length of the global applied sequence.</summary>
    public long AppliedIndex => applied.Count - 1;

    public long ReadsChecked { get; private set; }

    /// <summary>Snapshots installed from a leader (Ready.Snapshot), over all nodes.</summary>
    public long SnapshotsInstalled { get; private set; }

    /// <summary>The state hash after applying entries 1..index: what a state machine at that index must hold.</summary>
    public static ulong NextState(ulong state, in LogEntry entry) => Fnv.Mix(state, unchecked((long)HashedLog.EntryHash(entry)));

    public IReadOnlyList<Proposal> Acknowledged => acknowledged;

    /// <summary>The host applies <paramref name="entry"/> on <paramref name="node"/> (from Ready.CommittedEntries).</summary>
    public void OnApply(SimNode node, in LogEntry entry)
    {
        var raft = node.Running;
        var index = entry.Index;
        if (index != node.Applied + 1)
        {
            Fail("apply-order", $"node {node.Id} term {raft.Term} applied index {index} right after index {node.Applied}");
        }

        if (index > raft.CommitIndex)
        {
            Fail("apply-uncommitted", $"node {node.Id} term {raft.Term} applied index {index} above its commit index {raft.CommitIndex}");
        }

        var stored = node.Live;
        if (index > stored.LastIndex || index - 1 < stored.KnownFrom || stored.ChainAt(index) != HashedLog.Link(stored.ChainAt(index - 1), entry))
        {
            Fail("apply-from-log", $"node {node.Id} term {raft.Term} applied index {index} term {entry.Term} which is not the entry in its stored log");
        }

        if (index <= log.CommittedIndex && log.Committed(index).Term != entry.Term)
        {
            Fail(
                "apply-committed",
                $"node {node.Id} applied index {index} term {entry.Term} but the committed entry there has term {log.Committed(index).Term}");
        }

        if (index <= AppliedIndex)
        {
            var a = applied[(int)index];
            if (a.Term != entry.Term || a.Kind != entry.Kind || !a.Data.Span.SequenceEqual(entry.Data.Span))
            {
                Fail(
                    "state-machine-safety",
                    $"node {node.Id} applied index {index} term {entry.Term} kind {entry.Kind} ({entry.Data.Length} bytes) " +
                    $"but index {index} was applied elsewhere as term {a.Term} kind {a.Kind} ({a.Data.Length} bytes)");
            }
        }
        else
        {
            if (entry.Kind == EntryKind.Command && entry.Data.Length >= 8)
            {
                var id = BinaryPrimitives.ReadInt64LittleEndian(entry.Data.Span);
                if (!appliedCommands.Add(id))
                {
                    Fail("exactly-once", $"node {node.Id} applied command {id} a second time, at index {index} term {entry.Term}");
                }
            }

            applied.Add(new AppliedEntry(entry.Term, entry.Kind, entry.Data));
            states.Add(NextState(states[^1], entry));
        }

        node.StateHash = NextState(node.StateHash, entry);
        if (node.StateHash != states[(int)index])
        {
            Fail("state-machine-state", $"node {node.Id} term {raft.Term} reached a state at index {index} that differs from every other node's there");
        }

        if (entry.Kind == EntryKind.Configuration)
        {
            node.AppliedConfiguration = Configuration.Decode(entry.Data.Span);
        }

        node.Applied = index;
        if (node.Proposals.Remove((index, entry.Term), out var p))
        {
            if (entry.Kind != EntryKind.Command || !p.Command.Span.SequenceEqual(entry.Data.Span))
            {
                Fail(
                    "proposal",
                    $"node {node.Id} accepted command {p.CommandId} at index {index} term {entry.Term} but applied a different entry there");
            }

            p.Acknowledged = true;
            acknowledged.Add(p);
        }
    }

    /// <summary>
    /// The host restores its state machine from <paramref name="snapshot"/>: installed from a leader
    /// (<paramref name="installed"/>, Ready.Snapshot) or read back from its own storage on restart. Its data must be
    /// intact, and its state, log and configuration exactly those of the committed log at its index.
    /// </summary>
    public void OnRestore(SimNode node, Snapshot snapshot, bool installed)
    {
        var what = installed ? "installed" : "restarted from";
        if (SimSnapshot.Decode(snapshot.Data.Span) is not { } data)
        {
            Fail("snapshot-data", $"node {node.Id} {what} a snapshot at {snapshot.Index} whose {snapshot.Data.Length} bytes are not what any node wrote");
            return;
        }

        if (data.Index != snapshot.Index || data.Term != snapshot.Term)
        {
            Fail("snapshot-metadata", $"node {node.Id} {what} a snapshot labelled {snapshot.Index}@{snapshot.Term} holding the state at {data.Index}@{data.Term}");
        }

        if (installed && snapshot.Index <= node.Applied)
        {
            Fail("snapshot-regress", $"node {node.Id} was told to install a snapshot at {snapshot.Index} with its state machine already at {node.Applied}");
        }

        if (snapshot.Index > AppliedIndex || snapshot.Index > log.CommittedIndex)
        {
            Fail("snapshot-uncommitted", $"node {node.Id} {what} a snapshot at {snapshot.Index}, beyond what was committed ({log.CommittedIndex}) and applied ({AppliedIndex})");
        }

        if (data.State != states[(int)snapshot.Index])
        {
            Fail("snapshot-state", $"node {node.Id} {what} a snapshot at {snapshot.Index} whose state differs from what was applied up to there");
        }

        if (data.Chain != log.Committed(snapshot.Index).Chain)
        {
            Fail("snapshot-log", $"node {node.Id} {what} a snapshot at {snapshot.Index}@{snapshot.Term} whose log prefix differs from the committed log");
        }

        var configuration = log.CommittedConfigurationAt(snapshot.Index);
        if (!snapshot.Configuration.Equals(configuration))
        {
            Fail(
                "snapshot-configuration",
                $"node {node.Id} {what} a snapshot at {snapshot.Index} with configuration {snapshot.Configuration}, but {configuration} was in force there");
        }

        if (installed)
        {
            SnapshotsInstalled++;
        }

        node.Applied = snapshot.Index;
        node.StateHash = data.State;
        node.AppliedConfiguration = snapshot.Configuration;
    }

    /// <summary>A ReadIndex answer: it must cover every index committed before the read was issued.</summary>
    public void OnReadState(SimNode node, in ReadState state)
    {
        if (!node.Reads.Remove(state.RequestId, out var read))
        {
            Fail("read-unknown", $"node {node.Id} answered read {state.RequestId} (index {state.Index}) which it never accepted or answered twice");
        }

        if (state.Index < read.MinIndex)
        {
            Fail(
                "linearizable-read",
                $"node {node.Id} term {node.Running.Term} answered read {read.RequestId} issued at t={read.IssuedAtMs}ms with read " +
                $"index {state.Index}, but index {read.MinIndex} was already committed then");
        }

        ReadsChecked++;
    }

    /// <summary>At the end: every acknowledged proposal is in the common applied sequence at its index.</summary>
    public void CheckAcknowledged()
    {
        foreach (var p in acknowledged)
        {
            if (p.Index > AppliedIndex)
            {
                Fail("acknowledged-lost", $"command {p.CommandId} acknowledged by node {p.Node} at index {p.Index} term {p.Term} is beyond the applied sequence ({AppliedIndex})");
            }

            var a = applied[(int)p.Index];
            if (a.Term != p.Term || !a.Data.Span.SequenceEqual(p.Command.Span))
            {
                Fail("acknowledged-lost", $"command {p.CommandId} acknowledged by node {p.Node} at index {p.Index} term {p.Term} was replaced by term {a.Term}");
            }
        }
    }

    private void Fail(string property, string detail) =>
        throw new SimulationFailureException($"[{property}] t={clock.Now}ms: {detail}");
}
