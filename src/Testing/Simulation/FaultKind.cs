namespace OrleansRaft.Testing.Simulation;

/// <summary>What the fault injector can do during the safety phase (each kind is enabled per seed).</summary>
public enum FaultKind
{
    Crash,
    Partition,
    Weather,
    Transfer,
    Campaign,
    Pause,

    /// <summary>Figure 8's recipe: a leader reaches only a minority, then crashes and soon comes back.</summary>
    Figure8,

    /// <summary>Hosts snapshot and compact their logs at once (§7), so lagging nodes need a snapshot.</summary>
    Compact,

    /// <summary>The leader is asked to add a learner or voter, promote a learner or remove a server (thesis §4.1).</summary>
    Membership,
}
