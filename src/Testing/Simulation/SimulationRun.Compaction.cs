using OrleansRaft.Raft;

namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// Log compaction by the hosts (§7): a host snapshots its state machine at its applied index (the snapshot records
/// the state hash, and the log's chain hash and configuration there) and drops its log up to it, keeping a few
/// entries for slow followers; lagging and restarted nodes then catch up by InstallSnapshot.
/// </summary>
public sealed partial class SimulationRun
{
    private long compactions;

    /// <summary>A host compacts once it has applied <see cref="SimProfile.CompactEvery"/> entries beyond its last snapshot.</summary>
    private bool MaybeCompact(SimNode node)
    {
        if (!profile.Compaction || !node.IsUp || node.Applied - (node.Live.Snapshot?.Index ?? 0) < profile.CompactEvery)
        {
            return false;
        }

        Compact(node, profile.CompactKeep);
        return true;
    }

    /// <summary>The fault: some hosts compact right now, keeping a random tail.</summary>
    private void CompactSome()
    {
        var up = nodes.Where(n => n.IsUp && !n.IsPaused(queue.Now)).ToList();
        var victims = rng.Next(3) == 0 ? up : up.Where(_ => rng.NextDouble() < 0.5).ToList();
        foreach (var node in victims)
        {
            Compact(node, rng.Next(0, 2 * profile.CompactKeep + 2));
            Observe(node);
        }
    }

    private void Compact(SimNode node, int keep)
    {
        var applied = node.Applied;
        if (applied <= (node.Live.Snapshot?.Index ?? 0))
        {
            return;
        }

        var log = node.Live;
        var data = new SimSnapshot(applied, log.Term(applied), log.ChainAt(applied), node.StateHash).Encode(profile.SnapshotPadding);
        var compactTo = Math.Max(applied - keep, log.FirstIndex - 1);
        node.TakeSnapshot(data, compactTo);
        compactions++;
        trace.Add(-7, node.Id, applied);
        trace.Add(compactTo);
        if (options.TraceEvents)
        {
            Log($"node {node.Id} snapshots at {applied} and compacts to {compactTo}");
        }
    }

    /// <summary>The host's state machine and the core agree on how far it applied, and on the membership there.</summary>
    private void CheckAppliedState(SimNode node, RaftNode raft)
    {
        if (node.Applied != raft.AppliedIndex)
        {
            Fail("applied-index", $"node {node.Id} term {raft.Term}: the host applied up to {node.Applied} but the core says {raft.AppliedIndex}");
        }

        if (!node.AppliedConfiguration.Equals(raft.AppliedConfiguration))
        {
            Fail(
                "applied-configuration",
                $"node {node.Id} term {raft.Term}: the host applied {node.AppliedConfiguration} but the core says {raft.AppliedConfiguration} at {node.Applied}");
        }
    }
}
