namespace OrleansRaft.Testing.Linearizability;

internal enum PendingState
{
    Pending,
    Completed,
    Unknown,
    Failed,
}
