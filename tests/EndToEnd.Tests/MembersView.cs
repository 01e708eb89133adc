namespace OrleansRaft.EndToEnd.Tests;

/// <summary>The body of the gateway's <c>GET /v1/cluster/members</c>: the configuration as the leader holds it.</summary>
public sealed record MembersView(long? Leader, long Term, IReadOnlyList<MemberView> Members)
{
    public IReadOnlyList<long> Voters => [.. Members.Where(m => m.Role == "voter").Select(m => m.Id).Order()];

    public IReadOnlyList<long> Learners => [.. Members.Where(m => m.Role == "learner").Select(m => m.Id).Order()];

    public override string ToString() =>
        $"leader {Leader?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} term {Term}; voters [{string.Join(",", Voters)}] learners [{string.Join(",", Learners)}]";
}
