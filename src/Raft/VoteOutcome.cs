namespace OrleansRaft.Raft;

internal enum VoteOutcome
{
    Pending,
    Won,
    Lost,
}
