using OrleansRaft.Grains;
using OrleansRaft.Grains.Hosting;
using OrleansRaft.Grains.Transport;

namespace OrleansRaft.Silo;

/// <summary>Everything one silo process is configured with; <see cref="SiloCommandLine"/> fills it.</summary>
public sealed record SiloOptions
{
    public required long NodeId { get; init; }

    /// <summary>Node id → base address of every voter of the group, this silo included.</summary>
    public required IReadOnlyDictionary<long, Uri> Peers { get; init; }

    /// <summary>Where to listen; this silo's address in <see cref="Peers"/> when null.</summary>
    public Uri? Listen { get; init; }

    public long GroupId { get; init; } = 1;

    public string? PostgresConnectionString { get; init; }

    /// <summary>Keep the log in process memory: lost when the process exits, so for development and tests only.</summary>
    public bool InMemory { get; init; }

    /// <summary>
    /// A new member of a running group: no founding configuration of its own (it would be a second, disjoint one);
    /// it learns the configuration from the leader once a membership change adds it.
    /// </summary>
    public bool Join { get; init; }

    public int TickMs { get; init; } = 10;

    public int ElectionTimeoutMinMs { get; init; } = 150;

    public int ElectionTimeoutMaxMs { get; init; } = 300;

    public int HeartbeatMs { get; init; } = 30;

    public long MaxBatchBytes { get; init; } = 1 << 20;

    public int Inflight { get; init; } = 64;

    /// <summary>The largest request body the silo reads and the largest frame it sends or accepts.</summary>
    public int MaxMessageBytes { get; init; } = MessageCodec.DefaultMaxFrameBytes;

    public int? Seed { get; init; }

    public long SnapshotEntries { get; init; } = 10_000;

    public long SnapshotTrailingEntries { get; init; } = 1_000;

    /// <summary>OTLP export of traces and metrics (OTEL_* variables); null = off.</summary>
    public TelemetryOptions? Telemetry { get; init; }

    /// <summary>Transport limits other than the frame size; tests shorten the backoff.</summary>
    public Http2TransportOptions Transport { get; init; } = new();

    public Uri ListenAddress => Listen ?? Peers[NodeId];

    public int ElectionTicks => ElectionTimeoutMinMs / TickMs;

    public int ElectionTicksMax => ElectionTimeoutMaxMs / TickMs;

    public int HeartbeatTicks => Math.Max(1, HeartbeatMs / TickMs);

    /// <summary>Everything wrong with these options, in words an operator can act on; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (NodeId <= 0)
        {
            errors.Add("--node-id must be a positive integer");
        }

        if (Peers.Count == 0)
        {
            errors.Add("--peers is required");
        }
        else if (!Peers.ContainsKey(NodeId))
        {
            errors.Add($"--peers must include this silo (node {NodeId})");
        }

        if (PostgresConnectionString is null && !InMemory)
        {
            errors.Add("--pg is required unless --in-memory is given");
        }

        if (GroupId <= 0)
        {
            errors.Add("--group must be a positive integer");
        }

        if (TickMs <= 0)
        {
            errors.Add("--tick-ms must be positive");
        }
        else
        {
            if (HeartbeatTicks >= ElectionTicks)
            {
                errors.Add($"--heartbeat-ms ({HeartbeatMs}) must be below the election timeout's minimum ({ElectionTimeoutMinMs}) by at least one tick ({TickMs} ms)");
            }

            if (ElectionTicksMax <= ElectionTicks)
            {
                errors.Add($"--election-timeout {ElectionTimeoutMinMs}-{ElectionTimeoutMaxMs}: the maximum must exceed the minimum by at least one tick ({TickMs} ms)");
            }
        }

        if (MaxBatchBytes <= 0 || Inflight <= 0)
        {
            errors.Add("--max-batch-bytes and --inflight must be positive");
        }

        if (SnapshotEntries < 0 || SnapshotTrailingEntries < 0)
        {
            errors.Add("--snapshot-entries and --snapshot-trailing must not be negative");
        }

        if (MaxMessageBytes < 1024)
        {
            errors.Add("--max-message-bytes must be at least 1024");
        }
        else if (MaxBatchBytes >= MaxMessageBytes)
        {
            errors.Add($"--max-batch-bytes ({MaxBatchBytes}) must stay below --max-message-bytes ({MaxMessageBytes})");
        }

        return errors;
    }

    public ReplicaOptions ToReplicaOptions() => new()
    {
        NodeId = NodeId,
        GroupId = GroupId,
        InitialVoters = Join ? [] : [.. Peers.Keys.Order()],
        TickInterval = TimeSpan.FromMilliseconds(TickMs),
        ElectionTicks = ElectionTicks,
        ElectionTicksMax = ElectionTicksMax,
        HeartbeatTicks = HeartbeatTicks,
        MaxBatchBytes = MaxBatchBytes,
        MaxInflight = Inflight,
        SnapshotEntries = SnapshotEntries,
        SnapshotTrailingEntries = SnapshotTrailingEntries,
        Seed = Seed,
    };

    /// <summary>The transport settings, with frames and batches capped to what a peer silo accepts.</summary>
    public Http2TransportOptions ToTransportOptions() => Transport with
    {
        LocalNodeId = NodeId,
        MaxFrameBytes = MaxMessageBytes,
        MaxBatchBytes = Math.Min(Transport.MaxBatchBytes, MaxMessageBytes),
    };
}
