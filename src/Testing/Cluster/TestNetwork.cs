using OrleansRaft.Grains.Transport;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Testing.Cluster;

/// <summary>
/// The network between the replicas of a <see cref="TestCluster"/>: messages wait here until the cluster
/// delivers them, in the order sent, so a run is repeatable. Links can be cut one way or both.
/// </summary>
public sealed class TestNetwork
{
    private readonly Lock gate = new();
    private readonly Queue<(long Group, RaftMessage Message)> queue = new();
    private readonly HashSet<(long From, long To)> cut = [];
    private readonly HashSet<long> down = [];

    /// <summary>Messages handed to the network, delivered or not.</summary>
    public long MessagesSent { get; private set; }

    /// <summary>Entry payload bytes handed to the network (AppendEntries data).</summary>
    public long PayloadBytesSent { get; private set; }

    public int Pending
    {
        get
        {
            lock (gate)
            {
                return queue.Count;
            }
        }
    }

    /// <summary>The transport a replica on <paramref name="node"/> sends through.</summary>
    public IReplicaTransport For(long node) => new Endpoint(this, node);

    /// <summary>Cuts every link to and from <paramref name="node"/>.</summary>
    public void Disconnect(long node)
    {
        lock (gate)
        {
            down.Add(node);
        }
    }

    public void Connect(long node)
    {
        lock (gate)
        {
            down.Remove(node);
        }
    }

    /// <summary>Cuts the links from <paramref name="from"/> to <paramref name="to"/> only (a one-way partition).</summary>
    public void Cut(long from, long to)
    {
        lock (gate)
        {
            cut.Add((from, to));
        }
    }

    /// <summary>Splits the nodes into sides that cannot reach each other.</summary>
    public void Partition(params IReadOnlyList<long>[] sides)
    {
        lock (gate)
        {
            foreach (var a in sides)
            {
                foreach (var b in sides.Where(s => s != a))
                {
                    foreach (var from in a)
                    {
                        foreach (var to in b)
                        {
                            cut.Add((from, to));
                        }
                    }
                }
            }
        }
    }

    /// <summary>Restores every link and every node.</summary>
    public void Heal()
    {
        lock (gate)
        {
            cut.Clear();
            down.Clear();
        }
    }

    internal List<(long Group, RaftMessage Message)> TakeAll()
    {
        lock (gate)
        {
            var all = queue.Where(m => Reachable(m.Message.From, m.Message.To)).ToList();
            queue.Clear();
            return all;
        }
    }

    private bool Reachable(long from, long to) => !down.Contains(from) && !down.Contains(to) && !cut.Contains((from, to));

    private void Send(long group, RaftMessage message)
    {
        lock (gate)
        {
            MessagesSent++;
            if (message is AppendRequest append)
            {
                foreach (var entry in append.Entries)
                {
                    PayloadBytesSent += entry.Data.Length;
                }
            }

            if (Reachable(message.From, message.To))
            {
                queue.Enqueue((group, message));
            }
        }
    }

    private sealed class Endpoint(TestNetwork network, long node) : IReplicaTransport
    {
        public void Send(long groupId, RaftMessage message)
        {
            if (message.From == node)
            {
                network.Send(groupId, message);
            }
        }
    }
}
