using System.Diagnostics;
using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Storage;

namespace OrleansRaft.Raft.Benchmarks;

/// <summary>
/// A cluster of <see cref="RaftNode"/>s in one thread: every Ready is persisted into the node's
/// <see cref="MemoryStorage"/>, its messages are stepped straight into their targets, its committed entries are
/// counted as applied, and then it is advanced. No clock: nothing ticks, so no heartbeat or election runs while
/// measuring; only replication and commit. The harness itself allocates nothing per entry.
/// </summary>
internal sealed class Cluster
{
    private readonly RaftNode[] nodes;
    private readonly MemoryStorage[] stores;
    private readonly long[] appliedCommands;
    private readonly long keep;
    private readonly Breakdown? breakdown;

    /// <param name="size">Number of voters, ids 1..size.</param>
    /// <param name="keep">Entries each store keeps below its applied index; it compacts once it holds twice that.</param>
    /// <param name="breakdown">When set, every host step is timed into it (costs two timestamps per step).</param>
    public Cluster(int size, long keep, Breakdown? breakdown)
    {
        this.keep = keep;
        this.breakdown = breakdown;
        var voters = new long[size];
        for (var i = 0; i < size; i++)
        {
            voters[i] = i + 1;
        }

        nodes = new RaftNode[size];
        stores = new MemoryStorage[size];
        appliedCommands = new long[size];
        for (var i = 0; i < size; i++)
        {
            stores[i] = new MemoryStorage();
            nodes[i] = new RaftNode(
                new RaftOptions { Id = i + 1, InitialVoters = voters, Random = new Random(i + 1) },
                stores[i]);
        }
    }

    public RaftNode Leader => nodes[0];

    /// <summary>Ready batches handled.</summary>
    public long Readies { get; private set; }

    /// <summary>Messages delivered.</summary>
    public long Messages { get; private set; }

    /// <summary>AppendRequests delivered that carried at least one entry.</summary>
    public long AppendsWithEntries { get; private set; }

    /// <summary>Compactions done across all stores.</summary>
    public long Compactions { get; private set; }

    public void ElectNodeOne()
    {
        PumpUntilQuiet();
        nodes[0].Campaign();
        PumpUntilQuiet();
        if (nodes[0].Role != Role.Leader)
        {
            throw new InvalidOperationException($"node 1 did not become leader: {nodes[0]}");
        }
    }

    /// <summary>Handles Readies on every node, round-robin, until no node has anything left to do.</summary>
    public void PumpUntilQuiet()
    {
        bool any;
        do
        {
            any = false;
            for (var i = 0; i < nodes.Length; i++)
            {
                if (HasReady(i))
                {
                    HandleReady(i);
                    any = true;
                }
            }
        }
        while (any);
    }

    public void ResetCounters()
    {
        Readies = 0;
        Messages = 0;
        AppendsWithEntries = 0;
        Compactions = 0;
        Array.Clear(appliedCommands);
    }

    /// <summary>Throws unless every node applied exactly <paramref name="commands"/> commands and the whole log.</summary>
    public void Verify(long commands)
    {
        var last = nodes[0].LastIndex;
        for (var i = 0; i < nodes.Length; i++)
        {
            if (appliedCommands[i] != commands || nodes[i].AppliedIndex != last || nodes[i].CommitIndex != last)
            {
                throw new InvalidOperationException(
                    $"node {i + 1} applied {appliedCommands[i]} commands (want {commands}), applied index {nodes[i].AppliedIndex}, commit {nodes[i].CommitIndex}, leader last {last}");
            }
        }

        if (nodes[0].Role != Role.Leader)
        {
            throw new InvalidOperationException($"node 1 lost leadership: {nodes[0]}");
        }
    }

    private bool HasReady(int i)
    {
        if (breakdown is null)
        {
            return nodes[i].HasReady();
        }

        var t = breakdown.Start();
        var has = nodes[i].HasReady();
        breakdown.Add(Phase.HasReady, t);
        return has;
    }

    private void HandleReady(int i)
    {
        if (breakdown is not null)
        {
            HandleReadyTimed(i, breakdown);
            return;
        }

        var node = nodes[i];
        var store = stores[i];
        var ready = node.Ready();
        Readies++;

        // 1. Persist.
        if (ready.HardState is { } hardState)
        {
            store.SetHardState(hardState);
        }

        var entries = ready.Entries;
        if (entries.Count > 0)
        {
            store.Append(entries);
        }

        // 2. Send: synchronous delivery into the target node.
        Deliver(ready.Messages);

        // 3. Apply.
        appliedCommands[i] += CountCommands(ready.CommittedEntries);

        // 4. Advance, then keep the store bounded.
        node.Advance(ready);
        MaybeCompact(i);
    }

    private void HandleReadyTimed(int i, Breakdown b)
    {
        var node = nodes[i];
        var store = stores[i];

        var t = b.Start();
        var ready = node.Ready();
        t = b.Add(Phase.Ready, t);
        Readies++;

        if (ready.HardState is { } hardState)
        {
            store.SetHardState(hardState);
        }

        var entries = ready.Entries;
        if (entries.Count > 0)
        {
            store.Append(entries);
        }

        t = b.Add(Phase.Persist, t);

        Deliver(ready.Messages);
        t = b.Add(Phase.Step, t);

        appliedCommands[i] += CountCommands(ready.CommittedEntries);
        t = b.Add(Phase.Apply, t);

        node.Advance(ready);
        t = b.Add(Phase.Advance, t);

        MaybeCompact(i);
        b.Add(Phase.Compact, t);
    }

    private void Deliver(IReadOnlyList<RaftMessage> messages)
    {
        var count = messages.Count;
        Messages += count;
        for (var k = 0; k < count; k++)
        {
            var message = messages[k];
            if (message is AppendRequest { Entries.Length: > 0 })
            {
                AppendsWithEntries++;
            }

            nodes[message.To - 1].Step(message);
        }
    }

    private static long CountCommands(IReadOnlyList<LogEntry> committed)
    {
        long commands = 0;
        var count = committed.Count;
        for (var k = 0; k < count; k++)
        {
            if (committed[k].Kind == EntryKind.Command)
            {
                commands++;
            }
        }

        return commands;
    }

    private void MaybeCompact(int i)
    {
        var store = stores[i];
        var applied = nodes[i].AppliedIndex;
        if (applied - store.FirstIndex >= 2 * keep)
        {
            // §7: compaction needs a snapshot covering it; the benchmark's state machine only counts, so it is empty.
            store.CreateSnapshot(applied - keep, nodes[i].Configuration, ReadOnlyMemory<byte>.Empty);
            store.Compact(applied - keep);
            Compactions++;
        }
    }
}
