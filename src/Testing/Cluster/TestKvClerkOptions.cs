namespace OrleansRaft.Testing.Cluster;

/// <summary>How a <see cref="TestKvClerk"/> retries; all durations are on the cluster's virtual clock.</summary>
public sealed record TestKvClerkOptions
{
    /// <summary>How long one call to one server may take before the clerk gives up on it and tries the next.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The pause after every server was tried once without success (no leader yet, or hints going round), so a
    /// clerk never spins in zero virtual time.
    /// </summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(50);
}
