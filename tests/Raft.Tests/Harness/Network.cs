using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Storage;

namespace OrleansRaft.Raft.Tests.Harness;

/// <summary>
/// A deterministic in-process network of replicas, after etcd's raft_test.go <c>network</c>: messages are
/// delivered synchronously, first in first out, until none is in flight. Each delivery is followed by the
/// recipient's Ready handling (persist, collect messages, apply, Advance). Faults are scripted: links can be
/// cut, nodes isolated, message types ignored and links made lossy with a seeded <see cref="Random"/>.
/// Election safety and state machine safety are checked after every step.
/// </summary>
internal sealed class Network
{
    private const int MaxMessagesPerDelivery = 2_000_000;

    private readonly SortedDictionary<long, Peer> peers = [];
    private readonly Dictionary<(long From, long To), double> dropRates = [];
    private readonly HashSet<Type> ignored = [];
    private readonly List<Func<RaftMessage, bool>> dropRules = [];
    private readonly Dictionary<long, long> leaderOfTerm = [];
    private readonly Dictionary<long, LogEntry> appliedAt = [];
    private readonly Random random;

    public Network(int seed)
    {
        Seed = seed;
        random = new Random(seed);
    }

    public int Seed { get; }

    /// <summary>Every message a node emitted, in emission order, whether or not it was then dropped.</summary>
    public List<RaftMessage> Sent { get; } = [];

    /// <summary>Every message actually stepped into its recipient.</summary>
    public List<RaftMessage> Delivered { get; } = [];

    public IEnumerable<Peer> Peers => peers.Values;

    public IEnumerable<long> Ids => peers.Keys;

    public RaftNode this[long id] => peers[id].Node;

    /// <summary>A new group of <paramref name="size"/> founding members with ids 1..size.</summary>
    public static Network Create(int size, int seed = 1, Func<RaftOptions, RaftOptions>? configure = null)
    {
        var network = new Network(seed);
        var voters = Enumerable.Range(1, size).Select(i => (long)i).ToArray();
        foreach (var id in voters)
        {
            network.Add(id, new MemoryStorage(), o => (configure ?? (x => x))(o with { InitialVoters = voters }));
        }

        return network;
    }

    /// <summary>Adds a node over <paramref name="storage"/> (empty for a founder, or pre-filled by <see cref="Logs"/>).</summary>
    public Peer Add(long id, MemoryStorage storage, Func<RaftOptions, RaftOptions>? configure = null)
    {
        var options = new RaftOptions { Id = id, Random = new Random(unchecked((Seed * 7919) + (int)id)) };
        var peer = new Peer(configure is null ? options : configure(options), storage, $"seed {Seed}");
        peers.Add(id, peer);
        return peer;
    }

    public Peer Peer(long id) => peers[id];

    public MemoryStorage Storage(long id) => peers[id].Storage;

    /// <summary>Nodes that currently believe they lead, highest term first.</summary>
    public List<RaftNode> Leaders() =>
        [.. peers.Values.Select(p => p.Node).Where(n => n.Role == Role.Leader).OrderByDescending(n => n.Term)];

    /// <summary>Handles every pending Ready and delivers messages until none is in flight.</summary>
    public void Deliver()
    {
        var queue = new Queue<RaftMessage>();
        foreach (var peer in peers.Values)
        {
            Collect(peer, queue);
        }

        var count = 0;
        while (queue.TryDequeue(out var message))
        {
            if (++count > MaxMessagesPerDelivery)
            {
                throw new InvalidOperationException($"seed {Seed}: still delivering after {MaxMessagesPerDelivery} messages");
            }

            if (!peers.TryGetValue(message.To, out var target) || IsDropped(message))
            {
                continue;
            }

            Delivered.Add(message);
            target.Node.Step(message);
            Collect(target, queue);
        }
    }

    /// <summary>Injects <paramref name="message"/> as if sent by its From, then delivers to quiescence.</summary>
    public void Send(RaftMessage message)
    {
        Delivered.Add(message);
        peers[message.To].Node.Step(message);
        Deliver();
    }

    public void Campaign(long id)
    {
        this[id].Campaign();
        Deliver();
    }

    public void Tick(long id, int times = 1) => Tick([id], times);

    public void TickAll(int times = 1) => Tick(peers.Keys, times);

    /// <summary>Ticks the given nodes once each, delivers to quiescence, <paramref name="times"/> times over.</summary>
    public void Tick(IEnumerable<long> ids, int times)
    {
        var list = ids.ToList();
        for (var i = 0; i < times; i++)
        {
            foreach (var id in list)
            {
                peers[id].Node.Tick();
            }

            Deliver();
        }
    }

    /// <summary>Ticks the given nodes (all when null) until <paramref name="condition"/> holds; returns the ticks taken.</summary>
    public int TickUntil(Func<bool> condition, int maxTicks, IEnumerable<long>? ids = null)
    {
        var list = (ids ?? peers.Keys).ToList();
        for (var ticks = 0; ticks <= maxTicks; ticks++)
        {
            if (condition())
            {
                return ticks;
            }

            Tick(list, 1);
        }

        throw new InvalidOperationException($"seed {Seed}: condition not met within {maxTicks} ticks; {Describe()}");
    }

    /// <summary>Drops a <paramref name="fraction"/> of the messages from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public void Drop(long from, long to, double fraction) => dropRates[(from, to)] = fraction;

    /// <summary>Drops everything between <paramref name="a"/> and <paramref name="b"/>, both ways.</summary>
    public void Cut(long a, long b)
    {
        Drop(a, b, 1.0);
        Drop(b, a, 1.0);
    }

    /// <summary>Cuts <paramref name="id"/> off from every other node.</summary>
    public void Isolate(long id)
    {
        foreach (var other in peers.Keys.Where(other => other != id))
        {
            Cut(id, other);
        }
    }

    /// <summary>Drops every message of type <typeparamref name="T"/>.</summary>
    public void Ignore<T>()
        where T : RaftMessage => ignored.Add(typeof(T));

    /// <summary>Drops every message for which <paramref name="rule"/> holds.</summary>
    public void DropWhere(Func<RaftMessage, bool> rule) => dropRules.Add(rule);

    /// <summary>Heals every link and removes every ignore and drop rule.</summary>
    public void Recover()
    {
        dropRates.Clear();
        ignored.Clear();
        dropRules.Clear();
    }

    public string Describe() => $"seed {Seed}: " + string.Join("; ", peers.Values.Select(p => p.Node.ToString()));

    private bool IsDropped(RaftMessage message)
    {
        if (ignored.Contains(message.GetType()) || dropRules.Any(rule => rule(message)))
        {
            return true;
        }

        if (!dropRates.TryGetValue((message.From, message.To), out var rate) || rate <= 0)
        {
            return false;
        }

        return rate >= 1 || random.NextDouble() < rate;
    }

    private void Collect(Peer peer, Queue<RaftMessage> queue)
    {
        foreach (var message in peer.HandleReadies())
        {
            Sent.Add(message);
            queue.Enqueue(message);
        }

        CheckSafety(peer);
    }

    /// <summary>Election Safety and State Machine Safety (Figure 3), checked as the run goes.</summary>
    private void CheckSafety(Peer peer)
    {
        var node = peer.Node;
        if (node.Role == Role.Leader)
        {
            if (leaderOfTerm.TryGetValue(node.Term, out var other) && other != node.Id)
            {
                throw new InvalidOperationException($"seed {Seed}: nodes {other} and {node.Id} both lead term {node.Term}");
            }

            leaderOfTerm[node.Term] = node.Id;
        }

        foreach (var entry in peer.Applied.TakeLast(peer.Applied.Count - peer.AppliedChecked))
        {
            if (appliedAt.TryGetValue(entry.Index, out var first) && (first.Term != entry.Term || !first.Data.Span.SequenceEqual(entry.Data.Span)))
            {
                throw new InvalidOperationException(
                    $"seed {Seed}: node {node.Id} applied {entry.Index}@{entry.Term} where another node applied {first.Index}@{first.Term}");
            }

            appliedAt.TryAdd(entry.Index, entry);
        }

        peer.AppliedChecked = peer.Applied.Count;
    }
}
