using OrleansRaft.Gateway.Configuration;
using OrleansRaft.Grains.Client;

namespace OrleansRaft.Gateway.Forwarding;

/// <summary>One pooled HTTP/2 connection and <see cref="KvReplicaClient"/> per silo, in node id order.</summary>
internal sealed class SiloSet : IDisposable
{
    private readonly long[] ids;
    private readonly KvReplicaClient[] clients;
    private readonly HttpClient[] connections;

    public SiloSet(GatewayOptions options)
    {
        var silos = options.Silos.OrderBy(s => s.Key).ToArray();
        ids = [.. silos.Select(s => s.Key)];
        var connectTimeout = TimeSpan.FromMilliseconds(Math.Min(2000, options.DeadlineMs));
        connections = [.. silos.Select(s => KvReplicaClient.CreateHttpClient(s.Value, connectTimeout))];
        clients = [.. connections.Select(http => new KvReplicaClient(http, options.GroupId))];
    }

    public int Count => ids.Length;

    public long IdAt(int index) => ids[index];

    public KvReplicaClient ClientAt(int index) => clients[index];

    /// <summary>The silo with node id <paramref name="id"/>, or null for an id this gateway was not told about.</summary>
    public KvReplicaClient? Find(long id)
    {
        // A handful of silos: a scan beats hashing.
        for (var i = 0; i < ids.Length; i++)
        {
            if (ids[i] == id)
            {
                return clients[i];
            }
        }

        return null;
    }

    public void Dispose()
    {
        foreach (var connection in connections)
        {
            connection.Dispose();
        }
    }
}
