namespace OrleansRaft.Gateway.Http;

/// <summary>The answer to <c>GET /v1/cluster/members</c>: the configuration as the leader holds it.</summary>
public sealed record MembersReply(long Leader, long Term, IReadOnlyList<MemberReply> Members);
