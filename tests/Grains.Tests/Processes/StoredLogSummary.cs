namespace OrleansRaft.Grains.Tests.Processes;

/// <summary>What the replicas' stored logs hold up to an index; <see cref="Mismatch"/> names where they first differ.</summary>
/// <param name="DistinctRequests">Commands with different client request identities.</param>
/// <param name="RepeatedRequests">Command entries whose identity an earlier entry already had: retries the state machine must skip.</param>
internal sealed record StoredLogSummary(long UpTo, int Entries, int Commands, int DistinctRequests, int RepeatedRequests, string? Mismatch);
