using OrleansRaft.Bench.Cli;

namespace OrleansRaft.Bench.Targets;

/// <summary>
/// One <c>--target</c>: <c>orleansraft</c> (default; this project's cluster via scripts/cluster and the gateway),
/// <c>single</c> (one silo, no replication), <c>etcd</c> (an etcd 3.4 cluster the bench starts, same size) or
/// <c>etcd=URL</c> (an etcd already running there).
/// </summary>
public sealed record TargetSpec(TargetKind Kind, Uri? Address = null)
{
    public const string Help = "Systems to measure, comma-separated or repeated: orleansraft (this project's cluster via scripts/cluster and its REST gateway), single (one silo: the unreplicated baseline), etcd (a bench-started etcd 3.4 of the same size), etcd=URL (an etcd running there).";

    public string Name => Kind switch
    {
        TargetKind.OrleansRaft => "orleansraft",
        TargetKind.Single => "single",
        _ => "etcd",
    };

    /// <summary>Whether the bench starts (and can crash) it.</summary>
    public bool Managed => Kind != TargetKind.ExternalEtcd;

    public static IReadOnlyList<TargetSpec> Parse(IReadOnlyList<string> values)
    {
        var specs = new List<TargetSpec>();
        foreach (var part in values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            var spec = part.ToUpperInvariant() switch
            {
                "ORLEANSRAFT" or "CLUSTER" or "PROJECT" => new TargetSpec(TargetKind.OrleansRaft),
                "SINGLE" => new TargetSpec(TargetKind.Single),
                "ETCD" => new TargetSpec(TargetKind.Etcd),
                _ when part.StartsWith("etcd=", StringComparison.OrdinalIgnoreCase)
                    && Uri.TryCreate(part[5..], UriKind.Absolute, out var uri) && uri.Scheme is "http" => new TargetSpec(TargetKind.ExternalEtcd, uri),
                _ => throw new UsageException($"--target '{part}': expected orleansraft, single, etcd or etcd=http://HOST:PORT"),
            };
            if (!specs.Contains(spec))
            {
                specs.Add(spec);
            }
        }

        return specs.Count == 0 ? [new TargetSpec(TargetKind.OrleansRaft)] : specs;
    }

    /// <summary>Brings the system up with <paramref name="nodes"/> nodes (one for <c>single</c>; as it is for an external etcd).</summary>
    /// <param name="directory">This system's folder in the results (CLUSTER_DIR, etcd data and logs).</param>
    public async Task<IKvSystem> StartAsync(int nodes, string directory, string siloArguments, EtcdTimeouts? etcdTimeouts, TextWriter log, CancellationToken cancellationToken) => Kind switch
    {
        TargetKind.OrleansRaft => await ProjectCluster.StartAsync(new ProjectClusterOptions { Name = Name, Nodes = nodes, Directory = directory, SiloArguments = siloArguments }, log, cancellationToken),
        TargetKind.Single => await ProjectCluster.StartAsync(new ProjectClusterOptions { Name = Name, Nodes = 1, Directory = directory, SiloArguments = siloArguments }, log, cancellationToken),
        TargetKind.Etcd => await EtcdCluster.StartAsync(nodes, directory, etcdTimeouts, log, cancellationToken),
        _ => await ExternalEtcd.ConnectAsync(Address!, cancellationToken),
    };
}
