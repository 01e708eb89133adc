namespace OrleansRaft.Raft.Messages;

/// <summary>
/// Structural checks on a peer message, so that a corrupt or hostile message is dropped before it can touch the
/// log: a replica must never crash or corrupt its log because of what arrives on the wire.
/// </summary>
public static class MessageValidation
{
    /// <summary>The largest snapshot chunk a replica accepts; <see cref="RaftOptions.MaxSnapshotChunkBytes"/> may not exceed it.</summary>
    public const int MaxSnapshotChunkBytes = 64 << 20;

    /// <summary>The largest snapshot a replica assembles: it is held in one array until installed.</summary>
    public static readonly long MaxSnapshotBytes = Array.MaxLength;

    public static bool IsWellFormed(RaftMessage message)
    {
        if (message.From <= 0 || message.To <= 0 || message.Term < 0)
        {
            return false;
        }

        return message switch
        {
            VoteRequest m => m.LastLogIndex >= 0 && m.LastLogTerm >= 0 && m.LastLogTerm <= m.Term,
            VoteResponse => true,
            AppendRequest m => IsWellFormed(m),
            AppendResponse m => m.Index >= 0 && m.HintIndex >= 0 && m.HintTerm >= 0,
            HeartbeatRequest m => m.Commit >= 0 && m.ReadRound >= 0,
            HeartbeatResponse m => m.ReadRound >= 0,
            TimeoutNow => true,
            InstallSnapshotRequest m => IsWellFormed(m),
            InstallSnapshotResponse m => m.SnapshotIndex >= 0 && m.SnapshotTerm >= 0 && m.NextOffset >= 0 && m.Index >= 0,
            _ => false,
        };
    }

    private static bool IsWellFormed(AppendRequest m)
    {
        if (m.PrevLogIndex < 0 || m.PrevLogTerm < 0 || m.PrevLogTerm > m.Term || m.Commit < 0 || m.Entries is null)
        {
            return false;
        }

        var previousTerm = m.PrevLogTerm;
        var entries = m.Entries.AsSpan();
        for (var i = 0; i < entries.Length; i++)
        {
            ref readonly var entry = ref entries[i];
            // Entries are consecutive after PrevLogIndex, with terms that never decrease nor exceed the leader's.
            if (entry.Index != m.PrevLogIndex + 1 + i || entry.Term < previousTerm || entry.Term > m.Term || (byte)entry.Kind > (byte)EntryKind.Configuration)
            {
                return false;
            }

            previousTerm = entry.Term;
        }

        return true;
    }

    private static bool IsWellFormed(InstallSnapshotRequest m)
    {
        // A snapshot covers at least entry 1 and was taken by a leader of its term or an earlier one; its chunk fits
        // in what this replica assembles; its configuration has voters, all of them real ids.
        if (m.SnapshotIndex < 1 || m.SnapshotTerm < 1 || m.SnapshotTerm > m.Term || m.Offset < 0 || m.Configuration is null)
        {
            return false;
        }

        if (m.Data.Length > MaxSnapshotChunkBytes || m.Offset > MaxSnapshotBytes - m.Data.Length)
        {
            return false;
        }

        return m.Configuration.Voters.Length > 0 && m.Configuration.Members.All(id => id > 0);
    }
}
