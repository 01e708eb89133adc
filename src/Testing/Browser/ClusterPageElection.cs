namespace OrleansRaft.Testing.Browser;

/// <summary>One row (<c>tr[data-election-term]</c>) of the cluster page's election timeline; <see cref="Cells"/> as shown.</summary>
public sealed record ClusterPageElection(long Term, long Node, string Outcome, long Winner, bool PreVote, string Reason, bool Stale, IReadOnlyList<string> Cells)
{
    public override string ToString() => string.Join(" | ", Cells) + (Stale ? " (last reported)" : string.Empty);
}
