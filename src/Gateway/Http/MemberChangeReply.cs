namespace OrleansRaft.Gateway.Http;

/// <summary>The answer to a committed membership change: the member, its role (absent once removed) and the configuration after it.</summary>
public sealed record MemberChangeReply(long Id, string? Role, IReadOnlyList<long> Voters, IReadOnlyList<long> Learners);
