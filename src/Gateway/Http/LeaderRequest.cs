using System.Text.Json.Serialization;

namespace OrleansRaft.Gateway.Http;

/// <summary>The body of <c>POST /v1/cluster/leader</c>: the voter that should lead.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LeaderRequest(long? Id);
