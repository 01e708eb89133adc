namespace OrleansRaft.EndToEnd.Tests;

/// <summary>One node of <see cref="ClusterView"/>.</summary>
public sealed record ClusterNodeView(long Id, string Address, string Role, long Term, long CommitIndex, long AppliedIndex, bool Reachable)
{
    public override string ToString() =>
        $"node {Id} {Role}{(Reachable ? string.Empty : " (unreachable)")} term {Term} commit {CommitIndex} applied {AppliedIndex}";
}
