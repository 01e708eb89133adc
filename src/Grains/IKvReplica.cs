using OrleansRaft.Grains.Kv;

namespace OrleansRaft.Grains;

/// <summary>What the gateway calls on a group's leader (and, for stale reads and status, on any replica).</summary>
public interface IKvReplica
{
    Task<KvResponse> Put(string key, ReadOnlyMemory<byte> value, ClientRequest? request, CancellationToken cancellationToken);

    Task<KvResponse> Append(string key, ReadOnlyMemory<byte> suffix, ClientRequest? request, CancellationToken cancellationToken);

    Task<KvResponse> Delete(string key, ClientRequest? request, CancellationToken cancellationToken);

    Task<KvResponse> Get(string key, ReadConsistency consistency, CancellationToken cancellationToken);

    Task<ReplicaStatus> Status(CancellationToken cancellationToken);
}
