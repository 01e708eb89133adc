namespace OrleansRaft.Grains;

public enum ReadConsistency
{
    /// <summary>Reflects every write that completed before the read began (ReadIndex, thesis §6.4).</summary>
    Linearizable,

    /// <summary>This replica's applied state, whatever its role: may be behind.</summary>
    Stale,
}
