namespace OrleansRaft.Testing.Linearizability;

public enum CheckOutcome
{
    /// <summary>Every key's history has a linearization.</summary>
    Ok,

    /// <summary>Some key's history has none: a proof that the store is not linearizable.</summary>
    Illegal,

    /// <summary>The search ran out of time before deciding; this proves nothing either way.</summary>
    Unknown,
}
