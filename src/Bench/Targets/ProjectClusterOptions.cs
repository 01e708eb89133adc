namespace OrleansRaft.Bench.Targets;

/// <summary>How to bring up this project's cluster through scripts/cluster for one experiment.</summary>
public sealed record ProjectClusterOptions
{
    /// <summary>"orleansraft" for the replicated cluster, "single" for the one-silo baseline.</summary>
    public required string Name { get; init; }

    public required int Nodes { get; init; }

    /// <summary>CLUSTER_DIR: pids, logs and the script's own state.</summary>
    public required string Directory { get; init; }

    /// <summary>Passed as scripts/cluster up --silo-args, e.g. "--tick-ms 1 --election-timeout 12-25 --heartbeat-ms 4".</summary>
    public string SiloArguments { get; init; } = "";
}
