using OrleansRaft.Grains;
using OrleansRaft.Grains.Storage;
using OrleansRaft.Grains.Transport;

namespace OrleansRaft.Silo;

/// <summary>One hosted replica with the store and transport it owns.</summary>
public sealed record ReplicaEntry(RaftReplicaGrain Grain, ILogStore Store, Http2ReplicaTransport Transport);
