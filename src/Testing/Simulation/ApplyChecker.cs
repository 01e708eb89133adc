using System.Buffers.Binary;
using OrleansRaft.Raft;

namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// State machine safety (every node applies the same entry at each index, in order, only once committed),
/// exactly-once commands, acknowledged proposals, and linearizable ReadIndex answers.
/// </summary>
public sealed class ApplyChecker(LogChecker log, EventQueue clock)
{
    private readonly List<AppliedEntry> applied = [default];
    private readonly HashSet<long> appliedCommands = [];
    private readonly List<Proposal> acknowledged = [];

    /// <summary>The length of the global applied sequence.</summary>
    public long AppliedIndex => applied.Count - 1;

    public long ReadsChecked { get; private set; }

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
        if (index > stored.LastIndex || stored.ChainAt(index) != HashedLog.Link(stored.ChainAt(index - 1), entry))
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
