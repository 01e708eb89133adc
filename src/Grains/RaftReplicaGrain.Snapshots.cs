using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrleansRaft.Grains.Mailbox;
using OrleansRaft.Grains.Telemetry;
using OrleansRaft.Raft;

namespace OrleansRaft.Grains;

/// <summary>
/// Log compaction (§7). When enough entries were applied, the turn loop captures the state machine (a reference
/// copy), and a background task serializes it and stores it with the log prefix deleted in one transaction;
/// the turn loop goes on meanwhile and compacts its in-memory log when the write is done. A snapshot from the
/// leader replaces state machine and log together.
/// </summary>
public sealed partial class RaftReplicaGrain
{
    private Task snapshotWrite = Task.CompletedTask;
    private bool snapshotInFlight;
    private Activity? snapshotSpan;

    /// <summary>
    /// Completes once the snapshot being written beside the turn loop, if any, is stored and its outcome queued to the
    /// mailbox: lets a test host that steps replicas one at a time wait for it rather than for the thread pool.
    /// </summary>
    public Task SnapshotWrite => Volatile.Read(ref snapshotWrite);

    /// <summary>The newest snapshot this replica holds, taken or installed; 0 for none.</summary>
    private long SnapshotIndex => log.Snapshot?.Index ?? 0;

    private void MaybeTakeSnapshot()
    {
        if (options.SnapshotEntries <= 0 || snapshotInFlight || failure is not null
            || kv.AppliedIndex - SnapshotIndex < options.SnapshotEntries
            || !node.TryGetTerm(kv.AppliedIndex, out var term))
        {
            return;
        }

        var capture = kv.Capture();
        var configuration = node.AppliedConfiguration;
        var compactTo = capture.AppliedIndex - Math.Min(options.SnapshotTrailingEntries, options.SnapshotEntries);
        snapshotInFlight = true;
        snapshotSpan = StartSnapshotSpan("taken", capture.AppliedIndex);
        snapshotWrite = Task.Run(async () =>
        {
            var snapshot = new Snapshot(capture.AppliedIndex, term, configuration, capture.ToArray());
            try
            {
                await store.SaveSnapshotAsync(snapshot, compactTo, CancellationToken.None);
                mailbox.Writer.TryWrite(new SnapshotSavedItem(snapshot, compactTo, null));
            }
            catch (Exception e)
            {
                mailbox.Writer.TryWrite(new SnapshotSavedItem(snapshot, compactTo, e));
            }
        });
    }

    private void OnSnapshotSaved(SnapshotSavedItem saved)
    {
        snapshotInFlight = false;
        var span = snapshotSpan;
        snapshotSpan = null;
        if (saved.Error is { } error)
        {
            // Not fatal: the log keeps growing until a later snapshot succeeds, and nothing was lost.
            logger.LogWarning(error, "node {NodeId} group {GroupId}: snapshot at {Index} failed", NodeId, GroupId, saved.Snapshot.Index);
            StopSnapshotSpan(span, "failed", saved.Snapshot.Data.Length);
            return;
        }

        if (saved.Snapshot.Index <= SnapshotIndex)
        {
            StopSnapshotSpan(span, "overtaken", saved.Snapshot.Data.Length); // a snapshot from the leader overtook it
            return;
        }

        log.CreateSnapshot(saved.Snapshot.Index, saved.Snapshot.Configuration, saved.Snapshot.Data);
        log.Compact(Math.Max(saved.CompactTo, log.FirstIndex - 1));
        CountSnapshot("taken", saved.Snapshot.Data.Length);
        StopSnapshotSpan(span, "stored", saved.Snapshot.Data.Length);
        logger.LogInformation(
            "node {NodeId} group {GroupId}: snapshot at {Index} ({Bytes} bytes, {Keys} keys), log now [{First}, {Last}]",
            NodeId, GroupId, saved.Snapshot.Index, saved.Snapshot.Data.Length, kv.Count, log.FirstIndex, log.LastIndex);
    }

    private Activity? StartSnapshotSpan(string kind, long index) =>
        Spans.Start(RaftTelemetry.SnapshotSpan, default)?
            .Identify(NodeId, GroupId, node.Term)
            .SetTag(RaftTelemetry.SnapshotKindAttribute, kind)
            .SetTag(RaftTelemetry.SnapshotIndexAttribute, index);

    private static void StopSnapshotSpan(Activity? span, string outcome, long bytes)
    {
        if (span is not null)
        {
            span.SetTag(RaftTelemetry.SnapshotOutcomeAttribute, outcome).SetTag(RaftTelemetry.BytesAttribute, bytes);
            Spans.Stop(span);
        }
    }

    private void CountSnapshot(string kind, long bytes)
    {
        var tags = new TagList { { RaftTelemetry.NodeAttribute, NodeId }, { RaftTelemetry.GroupAttribute, GroupId }, { RaftTelemetry.SnapshotKindAttribute, kind } };
        ReplicaDiagnostics.Snapshots.Add(1, tags);
        ReplicaDiagnostics.SnapshotSize.Record(bytes, tags);
    }

    /// <summary>Switches the state machine to a snapshot from the leader; the caller then stores it with the log.</summary>
    private void RestoreSnapshot(Snapshot snapshot)
    {
        var span = StartSnapshotSpan("installed", snapshot.Index);
        using (var data = new MemoryStream(snapshot.Data.ToArray(), writable: false))
        {
            kv.Restore(data);
        }

        if (kv.AppliedIndex != snapshot.Index)
        {
            throw new InvalidDataException($"the snapshot at {snapshot.Index} holds a state machine at {kv.AppliedIndex}");
        }

        // Proposals this node made up to there: whether they made it into the snapshot is unknown here.
        foreach (var index in proposals.Keys.Where(i => i <= snapshot.Index).ToList())
        {
            proposals.Remove(index, out var proposal);
            proposal!.Reply.TrySetResult(new KvResponse(KvStatus.Timeout) { Detail = "replaced by a snapshot from the leader before its outcome was seen" });
        }

        AbandonConfigurationProposals(snapshot.Index);
        AnswerAppliedReads();
        SyncPeers();
        CountSnapshot("installed", snapshot.Data.Length);
        StopSnapshotSpan(span, "stored", snapshot.Data.Length);
        logger.LogInformation(
            "node {NodeId} group {GroupId}: installed {Snapshot} from the leader ({Keys} keys)", NodeId, GroupId, snapshot, kv.Count);
    }
}
