namespace OrleansRaft.Gateway.Http;

/// <summary>One member in <c>GET /v1/cluster/members</c>; <see cref="Address"/> is null when this gateway does not know it.</summary>
/// <param name="Role">"voter" or "learner".</param>
public sealed record MemberReply(long Id, string? Address, string Role);
