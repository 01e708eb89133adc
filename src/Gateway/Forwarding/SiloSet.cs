using OrleansRaft.Gateway.Configuration;
using OrleansRaft.Grains;
using OrleansRaft.Grains.Client;

namespace OrleansRaft.Gateway.Forwarding;

/// <summary>
/// One pooled HTTP/2 connection and <see cref="KvReplicaClient"/> per silo. It starts from --silos and follows the
/// group's membership: the addresses of members added at runtime are replicated, so any replica's status names them,
/// and the leader's configuration says who is a member. A silo that left is no longer asked (probes, stale reads),
/// and one that joined is, without a gateway restart.
/// </summary>
internal sealed class SiloSet : IDisposable
{
    private readonly Lock gate = new();
    private readonly long groupId;
    private readonly TimeSpan connectTimeout;

    // Every connection ever made, disposed at shutdown: a request may still be using one whose silo just left.
    private readonly List<HttpClient> connections = [];

    // Published whole under the gate and read without it: Find is on every request's path.
    private Dictionary<long, KvReplicaClient> byId = [];
    private SiloEntry[] members = [];

    // The voters and learners of the newest-term leader seen; null until one answered.
    private HashSet<long>? configuration;
    private long configurationTerm;

    public SiloSet(GatewayOptions options)
    {
        groupId = options.GroupId;
        connectTimeout = TimeSpan.FromMilliseconds(Math.Min(2000, options.DeadlineMs));
        lock (gate)
        {
            var known = new Dictionary<long, KvReplicaClient>();
            foreach (var (id, address) in options.Silos)
            {
                known[id] = Connect(address);
            }

            Publish(known);
        }
    }

    /// <summary>The silos to ask for status and stale reads, in node id order: the group's members once a leader told them.</summary>
    public IReadOnlyList<SiloEntry> Members => Volatile.Read(ref members);

    /// <summary>The silo with node id <paramref name="id"/>, or null for an id whose address this gateway does not know.</summary>
    public KvReplicaClient? Find(long id) => Volatile.Read(ref byId).GetValueOrDefault(id);

    /// <summary>Learns member addresses from any replica's status, and the membership from a leader's (a newer term wins).</summary>
    public void Learn(ReplicaStatus status)
    {
        var leads = status is { Role: "leader", Failure: null } && status.Voters.Length > 0;
        if (status.MemberAddresses.Count == 0 && !leads)
        {
            return;
        }

        lock (gate)
        {
            var known = byId;
            Dictionary<long, KvReplicaClient>? changed = null;
            foreach (var (id, text) in status.MemberAddresses)
            {
                if (id > 0 && Uri.TryCreate(text, UriKind.Absolute, out var address)
                    && (!known.TryGetValue(id, out var client) || client.Silo != address))
                {
                    changed ??= new Dictionary<long, KvReplicaClient>(known);
                    changed[id] = Connect(address);
                }
            }

            var newConfiguration = false;
            if (leads && status.Term >= configurationTerm)
            {
                var current = status.Voters.Concat(status.Learners).ToHashSet();
                newConfiguration = configuration is null || !configuration.SetEquals(current);
                configuration = current;
                configurationTerm = status.Term;
            }

            if (changed is not null || newConfiguration)
            {
                Publish(changed ?? known);
            }
        }
    }

    /// <summary>A member this gateway just added: reachable at once, before a leader's status lists it.</summary>
    public void Add(long id, Uri address)
    {
        lock (gate)
        {
            var known = new Dictionary<long, KvReplicaClient>(byId);
            if (!known.TryGetValue(id, out var client) || client.Silo != address)
            {
                known[id] = Connect(address);
            }

            configuration?.Add(id);
            Publish(known);
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var connection in connections)
            {
                connection.Dispose();
            }
        }
    }

    private KvReplicaClient Connect(Uri address)
    {
        var http = KvReplicaClient.CreateHttpClient(address, connectTimeout);
        connections.Add(http);
        return new KvReplicaClient(http, groupId);
    }

    private void Publish(Dictionary<long, KvReplicaClient> known)
    {
        Volatile.Write(ref byId, known);
        Volatile.Write(
            ref members,
            [.. known.Where(s => configuration is null || configuration.Contains(s.Key)).OrderBy(s => s.Key).Select(s => new SiloEntry(s.Key, s.Value))]);
    }
}
