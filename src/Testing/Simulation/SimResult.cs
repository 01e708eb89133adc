using System.Globalization;

namespace OrleansRaft.Testing.Simulation;

/// <summary>The verdict and statistics of one run.</summary>
public sealed record SimResult
{
    public required long Seed { get; init; }

    public required int Nodes { get; init; }

    public required bool Passed { get; init; }

    /// <summary>Which property failed, with nodes, term, index and virtual time; null when the run passed.</summary>
    public string? Failure { get; init; }

    public required ulong TraceHash { get; init; }

    public required long Events { get; init; }

    public required long Elections { get; init; }

    /// <summary>Entries committed (the final global commit index).</summary>
    public required long Commits { get; init; }

    public required long ReadsChecked { get; init; }

    public required long Crashes { get; init; }

    public required long Proposals { get; init; }

    public required long Acknowledged { get; init; }

    public required long MessagesSent { get; init; }

    /// <summary>Stored suffixes replaced by entries of another term (divergent logs repaired), over all nodes.</summary>
    public required long Truncations { get; init; }

    /// <summary>Snapshots hosts took (and compacted their logs to), over all nodes.</summary>
    public required long Compactions { get; init; }

    /// <summary>Membership changes leaders accepted (configuration entries proposed), over the run.</summary>
    public required long MembershipChanges { get; init; }

    /// <summary>InstallSnapshot chunks leaders sent.</summary>
    public required long SnapshotChunks { get; init; }

    /// <summary>Snapshots followers installed from a leader (Ready.Snapshot), over all nodes.</summary>
    public required long SnapshotsInstalled { get; init; }

    public required long VirtualTimeMs { get; init; }

    public string TraceHashText => TraceHash.ToString("x16", CultureInfo.InvariantCulture);
}
