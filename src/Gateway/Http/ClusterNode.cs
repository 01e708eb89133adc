namespace OrleansRaft.Gateway.Http;

/// <summary>One silo in <c>GET /v1/cluster</c>; an unreachable one has role "unknown", zeros and an error.</summary>
public sealed record ClusterNode(
    long Id,
    string Address,
    string Role,
    long Term,
    long CommitIndex,
    long AppliedIndex,
    bool Reachable,
    string? Error);
