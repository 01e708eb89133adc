namespace OrleansRaft.Testing.Linearizability;

/// <summary>The client operations of the key/value store, as the checker's sequential model knows them.</summary>
public enum KvOperationKind
{
    /// <summary>Reads the value; <see cref="KvOperation.Output"/> is null when the key is absent.</summary>
    Get,

    /// <summary>Sets the value to <see cref="KvOperation.Input"/>.</summary>
    Put,

    /// <summary>Appends <see cref="KvOperation.Input"/> to the value (an absent key counts as the empty string).</summary>
    Append,

    /// <summary>Removes the key.</summary>
    Delete,
}
