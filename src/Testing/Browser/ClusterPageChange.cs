namespace OrleansRaft.Testing.Browser;

/// <summary>One leader change the cluster page observed itself (<c>#changes li</c>); null is "no leader".</summary>
public sealed record ClusterPageChange(long? From, long? To, long Term, string Text)
{
    public override string ToString() => Text;
}
