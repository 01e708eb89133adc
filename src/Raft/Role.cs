namespace OrleansRaft.Raft;

public enum Role
{
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}
