using System.Text.Json.Serialization;

namespace OrleansRaft.Gateway.Http;

/// <summary>The body of <c>POST /v1/cluster/members</c>. Unknown members are refused, so a typo is a 400, not a default.</summary>
/// <param name="Role">"voter" (the default) or "learner".</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MemberRequest(long? Id, string? Address, string? Role);
