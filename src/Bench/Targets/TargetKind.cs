namespace OrleansRaft.Bench.Targets;

/// <summary>What <c>--target</c> names.</summary>
public enum TargetKind
{
    /// <summary>This project's replicated cluster through its REST gateway (the default).</summary>
    OrleansRaft,

    /// <summary>This project with one silo: no replication, the unreplicated baseline.</summary>
    Single,

    /// <summary>etcd 3.4 started by the bench with the same number of nodes.</summary>
    Etcd,

    /// <summary>An etcd the user runs, at a given URL.</summary>
    ExternalEtcd,
}
