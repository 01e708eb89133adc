using System.Text;
using OrleansRaft.Grains;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Testing.Linearizability;

namespace OrleansRaft.Testing.Cluster;

/// <summary>
/// A key/value client of a <see cref="TestCluster"/>, as MIT 6.5840's kvraft Clerk: every operation is retried
/// until it succeeds, following NotLeader hints and moving on to the next server when one does not answer in
/// time, is unsure (Timeout) or cannot serve (Unavailable). Writes carry a session (thesis §6.3) so a retried
/// write is applied once. Calls go through <see cref="TestCluster.CallAsync{T}"/>, from the network endpoint
/// <see cref="Endpoint"/>, so a test can cut the clerk off with <see cref="TestNetwork.Partition"/>. Every
/// operation is recorded into <see cref="History"/> when one is given. One operation at a time, like a real
/// client thread; give each concurrent client its own clerk.
/// </summary>
public sealed class TestKvClerk
{
    /// <summary>Clerk <c>n</c> sends from network endpoint <c>EndpointBase + n</c>, clear of replica ids.</summary>
    public const long EndpointBase = 1000;

    private readonly TestCluster cluster;
    private readonly TestKvClerkOptions options;
    private readonly string sessionId;
    private readonly Lock gate = new();
    private readonly Dictionary<string, long> retries = [];
    private IReadOnlyList<long> servers;
    private long sequence;
    private long leader;
    private long attempts;

    /// <param name="id">The client id in the history; also picks the network endpoint.</param>
    /// <param name="servers">The servers this clerk may contact; all of the cluster's when null.</param>
    public TestKvClerk(TestCluster cluster, int id, KvHistory? history = null, IReadOnlyList<long>? servers = null, TestKvClerkOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        this.cluster = cluster;
        this.options = options ?? new TestKvClerkOptions();
        Id = id;
        History = history;
        this.servers = Validate(servers ?? cluster.NodeIds);

        // A fresh session per clerk: two clerks with one id (a test's next round) must not share replies.
        sessionId = $"clerk-{id}-{Guid.NewGuid():N}";
    }

    public int Id { get; }

    public long Endpoint => EndpointBase + Id;

    public KvHistory? History { get; }

    /// <summary>The servers this clerk may contact (6.5840's ConnectClient); takes effect at the next attempt.</summary>
    public IReadOnlyList<long> Servers
    {
        get => Volatile.Read(ref servers);
        set => Volatile.Write(ref servers, Validate(value));
    }

    /// <summary>Calls sent to servers so far, answered or not.</summary>
    public long Attempts => Interlocked.Read(ref attempts);

    /// <summary>Attempts that had to be repeated, by why: "no reply" or the status answered.</summary>
    public IReadOnlyDictionary<string, long> Retries
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, long>(retries);
            }
        }
    }

    public Task PutAsync(string key, string value, CancellationToken cancellationToken = default) =>
        WriteAsync(KvOperationKind.Put, key, value, (replica, request, token) => replica.Put(key, Encoding.UTF8.GetBytes(value), request, token), cancellationToken);

    public Task AppendAsync(string key, string suffix, CancellationToken cancellationToken = default) =>
        WriteAsync(KvOperationKind.Append, key, suffix, (replica, request, token) => replica.Append(key, Encoding.UTF8.GetBytes(suffix), request, token), cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        WriteAsync(KvOperationKind.Delete, key, null, (replica, request, token) => replica.Delete(key, request, token), cancellationToken);

    /// <summary>A linearizable read: the value, or null when the key is absent.</summary>
    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        ValueOf(await RunAsync(KvOperationKind.Get, key, null, (replica, token) => replica.Get(key, ReadConsistency.Linearizable, token), ValueOf, cancellationToken));

    private Task WriteAsync(
        KvOperationKind kind,
        string key,
        string? input,
        Func<RaftReplicaGrain, ClientRequest, CancellationToken, Task<KvResponse>> write,
        CancellationToken cancellationToken)
    {
        // Every earlier request is answered or given up, so the servers may forget their replies.
        var next = Interlocked.Increment(ref sequence);
        var request = new ClientRequest(sessionId, next, next);
        return RunAsync(kind, key, input, (replica, token) => write(replica, request, token), _ => null, cancellationToken);
    }

    // In the cluster's client context, so the clerk's retries keep step with the virtual clock.
    private Task<KvResponse> RunAsync(
        KvOperationKind kind,
        string key,
        string? input,
        Func<RaftReplicaGrain, CancellationToken, Task<KvResponse>> call,
        Func<KvResponse, string?> output,
        CancellationToken cancellationToken) =>
        cluster.Clients.Run(() => RetryAsync(kind, key, input, call, output, cancellationToken));

    private async Task<KvResponse> RetryAsync(
        KvOperationKind kind,
        string key,
        string? input,
        Func<RaftReplicaGrain, CancellationToken, Task<KvResponse>> call,
        Func<KvResponse, string?> output,
        CancellationToken cancellationToken)
    {
        var pending = History?.Begin(Id, kind, key, input);
        var sent = false;
        try
        {
            var failures = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var current = Servers;
                var node = PickServer(current);
                sent = true;
                Interlocked.Increment(ref attempts);
                var response = await cluster.CallAsync(Endpoint, node, call, options.AttemptTimeout).WaitAsync(cancellationToken);
                switch (response?.Status)
                {
                    case KvStatus.Ok or KvStatus.NotFound:
                        if (pending is not null)
                        {
                            History!.Complete(pending, output(response));
                        }

                        Volatile.Write(ref leader, node);
                        return response;
                    case KvStatus.Stale:
                        // Cannot happen to a clerk that retries only its newest request: its outcome is lost.
                        throw new InvalidOperationException($"clerk {Id}: node {node} answered Stale to {kind} {key}: {response.Detail}");
                    case KvStatus.NotLeader when response.LeaderHint != node && current.Contains(response.LeaderHint):
                        Volatile.Write(ref leader, response.LeaderHint);
                        break;
                    default:
                        // No reply, Timeout, Unavailable, or NotLeader without a usable hint.
                        Volatile.Write(ref leader, NextAfter(current, node));
                        break;
                }

                CountRetry(response?.Status.ToString() ?? "no reply");
                if (++failures % current.Count == 0)
                {
                    await Task.Delay(options.RetryBackoff, cluster.Time, cancellationToken);
                }
            }
        }
        catch (Exception) when (pending is not null)
        {
            // Given up (cancelled, or Stale; success returns above): a request sent may still take effect.
            if (sent)
            {
                History!.Unknown(pending);
            }
            else
            {
                History!.Failed(pending);
            }

            throw;
        }
    }

    private static string? ValueOf(KvResponse response) => response.Value is { } value ? Encoding.UTF8.GetString(value) : null;

    private void CountRetry(string reason)
    {
        lock (gate)
        {
            retries[reason] = retries.GetValueOrDefault(reason) + 1;
        }
    }

    private long PickServer(IReadOnlyList<long> current)
    {
        var last = Volatile.Read(ref leader);
        return current.Contains(last) ? last : current[0];
    }

    private static long NextAfter(IReadOnlyList<long> current, long node)
    {
        var at = current.ToList().IndexOf(node);
        return current[(at + 1) % current.Count];
    }

    private IReadOnlyList<long> Validate(IReadOnlyList<long> list)
    {
        if (list.Count == 0 || list.Any(s => !cluster.NodeIds.Contains(s)))
        {
            throw new ArgumentException($"servers must be a non-empty subset of the cluster's nodes ({string.Join(',', cluster.NodeIds)})", nameof(servers));
        }

        return [.. list];
    }
}
