namespace OrleansRaft.Grains.Kv;

public enum KvOperation : byte
{
    Put = 1,
    Append = 2,
    Delete = 3,

    /// <summary>
    /// A member's address (key: the node id in decimal; value: its base URI in UTF-8, empty to forget it). Applied to
    /// the members map, never the user keyspace, so every replica learns where the others listen.
    /// </summary>
    MemberAddress = 4,
}
