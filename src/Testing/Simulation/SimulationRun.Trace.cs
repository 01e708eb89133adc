using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Testing.Simulation;

/// <summary>Folding events into the trace hash (and, when asked, logging each one).</summary>
public sealed partial class SimulationRun
{
    private void TraceEvent(SimEvent e)
    {
        trace.Add(queue.Now, (long)e.Kind, e.Node);
        trace.Add(e.Generation, e.Arg);
        if (e.Message is { } m)
        {
            TraceMessage(m);
        }

        if (options.TraceEvents && log is not null)
        {
            Log(e.Message is { } msg ? $"deliver {msg}" : $"{e.Kind} node={e.Node} gen={e.Generation} arg={e.Arg}");
        }
    }

    private void TraceMessage(RaftMessage m)
    {
        trace.Add(m.From, m.To, m.Term);
        switch (m)
        {
            case AppendRequest r:
                trace.Add(1, r.PrevLogIndex, r.PrevLogTerm);
                trace.Add(r.Entries.Length, r.Commit);
                break;
            case AppendResponse r:
                trace.Add(2, r.Success ? 1 : 0, r.Index);
                trace.Add(r.HintIndex, r.HintTerm);
                break;
            case HeartbeatRequest r:
                trace.Add(3, r.Commit, r.ReadRound);
                break;
            case HeartbeatResponse r:
                trace.Add(4, r.ReadRound);
                break;
            case VoteRequest r:
                trace.Add(5, r.LastLogIndex, r.LastLogTerm);
                trace.Add(r.PreVote ? 1 : 0, r.Transfer ? 1 : 0);
                break;
            case VoteResponse r:
                trace.Add(6, r.PreVote ? 1 : 0, r.Granted ? 1 : 0);
                break;
            case TimeoutNow:
                trace.Add(7);
                break;
            case InstallSnapshotRequest r:
                trace.Add(8, r.SnapshotIndex, r.SnapshotTerm);
                trace.Add(r.Offset, r.Data.Length, r.Done ? 1 : 0);
                break;
            case InstallSnapshotResponse r:
                trace.Add(9, r.SnapshotIndex, r.SnapshotTerm);
                trace.Add(r.NextOffset, r.Done ? 1 : 0, r.Index);
                break;
            default:
                trace.Add(99);
                break;
        }
    }
}
