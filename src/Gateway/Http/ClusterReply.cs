using System.Text.Json.Serialization;

namespace OrleansRaft.Gateway.Http;

/// <summary>The answer to <c>GET /v1/cluster</c>; <see cref="Leader"/> is null when no reachable silo leads.</summary>
public sealed record ClusterReply(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? Leader,
    long Term,
    IReadOnlyList<ClusterNode> Nodes);
