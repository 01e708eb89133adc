namespace OrleansRaft.Raft;

public enum EntryKind : byte
{
    /// <summary>A client command for the state machine.</summary>
    Command = 0,

    /// <summary>The empty entry a new leader appends to commit its term (§5.4.2, §8).</summary>
    NoOp = 1,

    /// <summary>A cluster configuration; takes effect as soon as it is in the log (thesis §4.1).</summary>
    Configuration = 2,
}
