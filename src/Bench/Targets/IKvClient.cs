using OrleansRaft.Bench.Measurement;

namespace OrleansRaft.Bench.Targets;

/// <summary>Put and linearizable Get of one system's client API, as results the load generator tallies ("put", "get").</summary>
public interface IKvClient
{
    ValueTask<OperationResult> PutAsync(string key, byte[] value, CancellationToken cancellationToken);

    /// <summary>A linearizable read; an absent key is a failure ("NotFound"), since every workload reads keys it wrote.</summary>
    ValueTask<OperationResult> GetAsync(string key, CancellationToken cancellationToken);
}
