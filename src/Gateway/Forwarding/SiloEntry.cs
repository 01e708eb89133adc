using OrleansRaft.Grains.Client;

namespace OrleansRaft.Gateway.Forwarding;

/// <summary>One silo of the group as the gateway reaches it.</summary>
internal sealed record SiloEntry(long Id, KvReplicaClient Client);
