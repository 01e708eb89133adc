using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Raft;

public sealed partial class RaftNode
{
    /// <summary>
    /// Handles one message from a peer. Messages for another node, from an older term, or not well formed
    /// (<see cref="MessageValidation"/>) are dropped.
    /// </summary>
    public void Step(RaftMessage message)
    {
        StepMessage(message);
        StepDownIfRemoved();
    }

    private void StepMessage(RaftMessage message)
    {
        if (message.To != Id || message.From == Id || !MessageValidation.IsWellFormed(message))
        {
            return;
        }

        if (message.Term > Term)
        {
            if (message is VoteRequest { Transfer: false } && InLease)
            {
                // Thesis §4.2.3: we heard from a leader within the minimum election timeout, so this candidate
                // is disruptive (for example a removed server or a healed minority); ignore it.
                return;
            }

            switch (message)
            {
                case VoteRequest { PreVote: true }:
                case VoteResponse { PreVote: true, Granted: true }:
                    break; // a pre-vote round changes nobody's term (thesis §9.6)
                case AppendRequest or HeartbeatRequest or InstallSnapshotRequest:
                    BecomeFollower(message.Term, message.From);
                    break;
                default:
                    BecomeFollower(message.Term, None);
                    break;
            }
        }
        else if (message.Term < Term)
        {
            StepStale(message);
            return;
        }

        if (message is VoteRequest request)
        {
            HandleVoteRequest(request);
            return;
        }

        switch (Role)
        {
            case Role.Leader:
                StepLeader(message);
                break;
            case Role.Candidate:
            case Role.PreCandidate:
                StepCandidate(message);
                break;
            default:
                StepFollower(message);
                break;
        }
    }

    private bool InLease => options.CheckQuorum && Leader != None && electionElapsed < options.ElectionTicks;

    private void StepStale(RaftMessage message)
    {
        switch (message)
        {
            case AppendRequest or HeartbeatRequest or InstallSnapshotRequest when options.CheckQuorum || options.PreVote:
                // A deposed leader whose term fell behind learns our term and steps down. Without this, a
                // node that raised its term in a partition could not be heard (its pre-votes fail) and
                // the stale leader would never learn (thesis §9.6 with §6.2).
                Send(new AppendResponse(Id, message.From, Term, Success: false, Index: 0, HintIndex: 0, HintTerm: 0));
                break;
            case VoteRequest { PreVote: true }:
                // Tell a pre-candidate with an old term about ours, or it could pre-vote forever.
                Send(new VoteResponse(Id, message.From, Term, PreVote: true, Granted: false));
                break;
        }
    }

    private void StepLeader(RaftMessage message)
    {
        switch (message)
        {
            case AppendResponse response:
                HandleAppendResponse(response);
                break;
            case HeartbeatResponse response:
                HandleHeartbeatResponse(response);
                break;
            case InstallSnapshotResponse response:
                HandleInstallSnapshotResponse(response);
                break;
        }
    }

    private void StepCandidate(RaftMessage message)
    {
        switch (message)
        {
            case AppendRequest request:
                BecomeFollower(Term, request.From);
                HandleAppend(request);
                break;
            case HeartbeatRequest request:
                BecomeFollower(Term, request.From);
                HandleHeartbeat(request);
                break;
            case InstallSnapshotRequest request:
                BecomeFollower(Term, request.From);
                HandleInstallSnapshot(request);
                break;
            case VoteResponse response:
                HandleVoteResponse(response);
                break;
        }
    }

    private void StepFollower(RaftMessage message)
    {
        switch (message)
        {
            case AppendRequest request:
                electionElapsed = 0;
                Leader = request.From;
                HandleAppend(request);
                break;
            case HeartbeatRequest request:
                electionElapsed = 0;
                Leader = request.From;
                HandleHeartbeat(request);
                break;
            case InstallSnapshotRequest request:
                electionElapsed = 0;
                Leader = request.From;
                HandleInstallSnapshot(request);
                break;
            case TimeoutNow:
                // Thesis §3.10: the leader chose us; skip the pre-vote, our voters must not ignore us.
                StartElection(preVote: false, transfer: true);
                break;
        }
    }
}
