using OrleansRaft.Grains;

namespace OrleansRaft.Gateway.Http;

/// <summary>One silo in <c>GET /v1/cluster</c>; an unreachable one has role "unknown", zeros and an error.</summary>
/// <param name="Elections">The last 32 elections the node started (oldest first, a running one last); absent when unreachable.</param>
public sealed record ClusterNode(
    long Id,
    string Address,
    string Role,
    long Term,
    long CommitIndex,
    long AppliedIndex,
    bool Reachable,
    string? Error,
    IReadOnlyList<ElectionRecord>? Elections = null);
