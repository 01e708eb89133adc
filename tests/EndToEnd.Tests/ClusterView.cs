namespace OrleansRaft.EndToEnd.Tests;

/// <summary>The body of the gateway's <c>GET /v1/cluster</c>.</summary>
public sealed record ClusterView(long? Leader, long Term, IReadOnlyList<ClusterNodeView> Nodes)
{
    public ClusterNodeView Node(long id) => Nodes.FirstOrDefault(n => n.Id == id) ?? throw new InvalidOperationException($"/v1/cluster lists no node {id}: {this}");

    public override string ToString() =>
        $"leader {Leader?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} term {Term}; " + string.Join("; ", Nodes.Select(n => n.ToString()));
}
