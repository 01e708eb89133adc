namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>The span names the instrumentation (issue 7) emits; the dashboard may filter on these only.</summary>
public static class SpanNames
{
    public static IReadOnlySet<string> Known { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "raft.election", "raft.vote", "raft.replicate", "raft.persist", "raft.apply", "raft.snapshot", "raft.leader_transfer", "kv.request",
    };
}
