namespace OrleansRaft.Grains.Client;

/// <summary>Which <see cref="IKvReplica"/> operation a <see cref="KvRequestMessage"/> makes.</summary>
public enum KvCall
{
    Get,
    Put,
    Append,
    Delete,
}
