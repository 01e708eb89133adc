using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Raft;

/// <summary>
/// Everything the host must do after a batch of inputs, in this order:
/// <list type="number">
/// <item>Persist, in one atomic write (durably when <see cref="MustSync"/>): first <see cref="Snapshot"/> when
/// there is one (it replaces the whole stored log), then <see cref="HardState"/> and <see cref="Entries"/>.</item>
/// <item>Send <see cref="Messages"/>.</item>
/// <item>Apply: when there is a <see cref="Snapshot"/>, restore the state machine from its data first (the state
/// machine and the log must switch to the snapshot together: a restart must never see one without the other);
/// then apply <see cref="CommittedEntries"/>, which continue right after it. Answer <see cref="ReadStates"/> once
/// applied far enough.</item>
/// <item>Call <see cref="RaftNode.Advance(Ready)"/>.</item>
/// </list>
/// </summary>
public sealed class Ready
{
    internal Ready(
        HardState? hardState,
        SoftState? softState,
        Snapshot? snapshot,
        IReadOnlyList<LogEntry> entries,
        IReadOnlyList<RaftMessage> messages,
        IReadOnlyList<LogEntry> committedEntries,
        IReadOnlyList<ReadState> readStates,
        bool mustSync)
    {
        HardState = hardState;
        SoftState = softState;
        Snapshot = snapshot;
        Entries = entries;
        Messages = messages;
        CommittedEntries = committedEntries;
        ReadStates = readStates;
        MustSync = mustSync;
    }

    /// <summary>The hard state to persist, or null when it did not change.</summary>
    public HardState? HardState { get; }

    /// <summary>Leader and role, or null when neither changed.</summary>
    public SoftState? SoftState { get; }

    /// <summary>
    /// A snapshot from the leader to install (§7, Figure 13 steps 7-8), or null. Installing it replaces the stored log
    /// by the snapshot (the log is then empty and continues at <c>Snapshot.Index + 1</c>, as
    /// <see cref="Storage.MemoryStorage.ApplySnapshot"/> does) and the state machine by <see cref="Raft.Snapshot.Data"/>;
    /// <see cref="Raft.Snapshot.Configuration"/> is the configuration in force. It is always beyond the commit index
    /// the node had, and <see cref="HardState"/> commits it.
    /// </summary>
    public Snapshot? Snapshot { get; }

    /// <summary>
    /// Entries to persist. When the first one's index is at or below the stored last index, the stored suffix
    /// from that index on conflicts and must be deleted in the same write (§5.3).
    /// </summary>
    public IReadOnlyList<LogEntry> Entries { get; }

    /// <summary>
    /// Messages to send once the hard state and entries are durable. A leader's AppendEntries, heartbeats and
    /// TimeoutNow of an unchanged term may go out before its own write completes (thesis §10.2.1): the leader
    /// counts itself toward a quorum only after <see cref="RaftNode.Advance"/>.
    /// </summary>
    public IReadOnlyList<RaftMessage> Messages { get; }

    /// <summary>Committed entries to apply to the state machine, in index order (after <see cref="Snapshot"/>, if any).</summary>
    public IReadOnlyList<LogEntry> CommittedEntries { get; }

    public IReadOnlyList<ReadState> ReadStates { get; }

    /// <summary>
    /// True when term, vote, entries or the snapshot changed: the write must reach stable storage before any message is sent,
    /// or a crash could make this node vote twice in a term or forget entries it acknowledged.
    /// </summary>
    public bool MustSync { get; }
}
