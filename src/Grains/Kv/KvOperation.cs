namespace OrleansRaft.Grains.Kv;

public enum KvOperation : byte
{
    Put = 1,
    Append = 2,
    Delete = 3,
}
