using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using OrleansRaft.Grains;

namespace OrleansRaft.Silo;

/// <summary>The replicas this silo hosts, by group id: how endpoints find the grain a request is for.</summary>
public sealed class ReplicaDirectory
{
    private readonly ConcurrentDictionary<long, ReplicaEntry> replicas = new();

    public IReadOnlyCollection<ReplicaEntry> Replicas => [.. replicas.Values];

    public bool TryGet(long groupId, [NotNullWhen(true)] out RaftReplicaGrain? grain)
    {
        grain = replicas.TryGetValue(groupId, out var entry) ? entry.Grain : null;
        return grain is not null;
    }

    public ReplicaEntry? Find(long groupId) => replicas.GetValueOrDefault(groupId);

    internal void Add(long groupId, ReplicaEntry entry)
    {
        if (!replicas.TryAdd(groupId, entry))
        {
            throw new InvalidOperationException($"group {groupId} is already hosted");
        }
    }

    internal ReplicaEntry? Remove(long groupId) => replicas.TryRemove(groupId, out var entry) ? entry : null;
}
