namespace OrleansRaft.Testing.Linearizability;

internal enum SearchOutcome
{
    Linearizable,
    Illegal,

    /// <summary>Out of time or steps, or told to stop: undecided.</summary>
    Stopped,
}
