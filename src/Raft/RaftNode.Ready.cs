using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Raft;

public sealed partial class RaftNode
{
    private HardState prevHardState;
    private SoftState prevSoftState;

    private HardState HardState => new(Term, Vote, log.Committed);

    /// <summary>Whether there is anything to persist, send, apply or answer.</summary>
    public bool HasReady() =>
        HardState != prevHardState
        || SoftState != prevSoftState
        || log.HasUnstable
        || messages.Count > 0
        || log.HasNextCommittedEntries
        || readStates.Count > 0
        || appendPending
        || readBroadcastPending;

    /// <summary>
    /// Takes the pending output. The host must handle it in the documented order and call
    /// <see cref="Advance"/> before the next input.
    /// </summary>
    public Ready Ready()
    {
        if (appendPending)
        {
            appendPending = false;
            BroadcastAppend(sendIfEmpty: false);
        }

        FlushReadRound();

        var hardState = HardState;
        var softState = SoftState;
        var snapshot = log.PendingSnapshot;
        var entries = log.UnstableEntries();
        var ready = new Ready(
            hardState != prevHardState ? hardState : null,
            softState != prevSoftState ? softState : null,
            snapshot,
            entries,
            messages.Count > 0 ? messages : [],
            log.HasNextCommittedEntries ? log.NextCommittedEntries(options.MaxCommittedSizePerReady) : [],
            readStates.Count > 0 ? readStates : [],
            mustSync: snapshot is not null || entries.Length > 0 || hardState.Term != prevHardState.Term || hardState.Vote != prevHardState.Vote);
        if (messages.Count > 0)
        {
            messages = new List<RaftMessage>(messages.Count);
        }

        if (readStates.Count > 0)
        {
            readStates = [];
        }

        return ready;
    }

    /// <summary>The host has persisted, sent and applied <paramref name="ready"/>.</summary>
    public void Advance(Ready ready)
    {
        if (ready.HardState is { } hardState)
        {
            prevHardState = hardState;
        }

        if (ready.SoftState is { } softState)
        {
            prevSoftState = softState;
        }

        if (ready.Snapshot is { } snapshot)
        {
            log.SnapshotInstalled(snapshot);
            AppliedConfiguration = snapshot.Configuration;
        }

        if (ready.Entries.Count > 0)
        {
            var last = ready.Entries[^1];
            log.StableTo(last.Index, last.Term);

            // The leader counts itself toward a quorum only for what it has persisted (thesis §10.2.1).
            if (Role == Role.Leader && progress.TryGetValue(Id, out var self) && self.MaybeUpdate(log.StableLastIndex) && MaybeCommit())
            {
                BroadcastCommit();
            }
        }

        if (ready.CommittedEntries.Count > 0)
        {
            log.AppliedTo(ready.CommittedEntries[^1].Index);
            for (var i = ready.CommittedEntries.Count - 1; i >= 0; i--)
            {
                if (ready.CommittedEntries[i].Kind == EntryKind.Configuration)
                {
                    AppliedConfiguration = Configuration.Decode(ready.CommittedEntries[i].Data.Span);
                    break;
                }
            }
        }

        StepDownIfRemoved();
    }
}
