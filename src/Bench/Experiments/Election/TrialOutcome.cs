namespace OrleansRaft.Bench.Experiments.Election;

/// <summary>How one election trial ended.</summary>
public enum TrialOutcome
{
    /// <summary>A write committed through a new leader within the trial's bound.</summary>
    Elected,

    /// <summary>No write committed within the bound after the kill.</summary>
    Timeout,

    /// <summary>No stable leader (all nodes agreeing and a write committing) before the kill: nothing was killed.</summary>
    Unstable,
}
