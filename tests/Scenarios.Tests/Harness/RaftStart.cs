using OrleansRaft.Grains;

namespace OrleansRaft.Scenarios.Tests.Harness;

/// <summary>
/// What 6.5840's <c>Start(cmd)</c> returns: whether the server took the command as leader, the index it put it
/// at and its term. <see cref="Reply"/> is the write itself, which completes once applied (or superseded).
/// </summary>
public sealed record RaftStart(bool IsLeader, long Index, long Term, Task<KvResponse>? Reply)
{
    public static RaftStart Refused(long term) => new(false, 0, term, null);
}
