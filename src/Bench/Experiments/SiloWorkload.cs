using OrleansRaft.Bench.Cluster;
using OrleansRaft.Grains.Client;

namespace OrleansRaft.Bench.Experiments;

/// <summary>
/// What the silo experiment's workers share: the cluster, the leader they currently believe in (moved by
/// NotLeader hints), the key space and the operation mix.
/// </summary>
internal sealed class SiloWorkload(SiloCluster cluster, long leader, int keyCount, int valueBytes, int readPercent, TimeSpan timeout, string runId)
{
    private long leader = leader;
    private long redirects;

    /// <summary>Keys made once, so a worker picks one without allocating.</summary>
    public string[] Keys { get; } = [.. Enumerable.Range(0, keyCount).Select(i => $"key-{i:D6}")];

    public int ValueBytes => valueBytes;

    public int ReadPercent => readPercent;

    /// <summary>The deadline of one operation, redirects included.</summary>
    public TimeSpan Timeout => timeout;

    /// <summary>Prefix of every worker's client id, unique per run so sessions of earlier runs never collide.</summary>
    public string RunId => runId;

    public long Leader => Volatile.Read(ref leader);

    public int Nodes => cluster.Nodes.Count;

    /// <summary>NotLeader hints followed so far.</summary>
    public long Redirects => Interlocked.Read(ref redirects);

    public KvReplicaClient Client(long nodeId) => cluster.Node(nodeId).Client;

    /// <summary>Moves everyone to <paramref name="hint"/>, unless another worker already moved them away from <paramref name="asked"/>.</summary>
    public void FollowHint(long asked, long hint)
    {
        Interlocked.Increment(ref redirects);
        Interlocked.CompareExchange(ref leader, hint, asked);
    }
}
