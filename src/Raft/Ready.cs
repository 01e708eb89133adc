using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Raft;

/// <summary>
/// Everything the host must do after a batch of inputs, in this order: persist <see cref="HardState"/> and
/// <see cref="Entries"/> (durably when <see cref="MustSync"/>), send <see cref="Messages"/>, apply
/// <see cref="CommittedEntries"/>, answer <see cref="ReadStates"/> once applied far enough, then call
/// <see cref="RaftNode.Advance(Ready)"/>.
/// </summary>
public sealed class Ready
{
    internal Ready(
        HardState? hardState,
        SoftState? softState,
        IReadOnlyList<LogEntry> entries,
        IReadOnlyList<RaftMessage> messages,
        IReadOnlyList<LogEntry> committedEntries,
        IReadOnlyList<ReadState> readStates,
        bool mustSync)
    {
        HardState = hardState;
        SoftState = softState;
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

    /// <summary>Committed entries to apply to the state machine, in index order.</summary>
    public IReadOnlyList<LogEntry> CommittedEntries { get; }

    public IReadOnlyList<ReadState> ReadStates { get; }

    /// <summary>
    /// True when term, vote or entries changed: the write must reach stable storage before any message is sent,
    /// or a crash could make this node vote twice in a term or forget entries it acknowledged.
    /// </summary>
    public bool MustSync { get; }
}
