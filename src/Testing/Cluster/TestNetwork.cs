using OrleansRaft.Grains.Transport;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Testing.Cluster;

/// <summary>
/// The network between the replicas (and the clients) of a <see cref="TestCluster"/>. Messages wait here until
/// they are due on the cluster's clock and the cluster delivers them. Links can be cut one way or both, and the
/// network can lose, delay, duplicate and reorder (<see cref="Unreliable"/>). Each link draws its faults from
/// its own seeded <see cref="Random"/>, in the order its sender sent, so a run does not depend on how the
/// replicas' threads interleave.
/// </summary>
public sealed class TestNetwork
{
    private readonly Lock gate = new();
    private readonly TimeProvider time;
    private readonly int seed;
    private readonly List<InFlightMessage> queue = [];
    private readonly Dictionary<(long From, long To), LinkState> links = [];
    private readonly HashSet<(long From, long To)> cut = [];
    private readonly HashSet<long> down = [];
    private readonly Dictionary<Type, long> sentByType = [];
    private readonly Dictionary<long, TimeSpan> nodeDelays = [];
    private readonly Dictionary<(long From, long To), TimeSpan> linkDelays = [];
    private UnreliableOptions? unreliable;
    private List<(DateTimeOffset At, long From, long To, long Sequence, string What)>? trace;

    public TestNetwork(TimeProvider time, int seed)
    {
        this.time = time;
        this.seed = seed;
    }

    /// <summary>Messages handed to the network, delivered or not.</summary>
    public long MessagesSent { get; private set; }

    /// <summary>Their encoded size on the silo-to-silo wire, frame headers included.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Entry payload bytes handed to the network (AppendEntries data).</summary>
    public long PayloadBytesSent { get; private set; }

    /// <summary>Messages lost: dropped by an unreliable network or sent over a cut link.</summary>
    public long MessagesDropped { get; private set; }

    /// <summary>Messages of exactly type <typeparamref name="TMessage"/> handed to the network, delivered or not.</summary>
    public long Sent<TMessage>()
        where TMessage : RaftMessage
    {
        lock (gate)
        {
            return sentByType.GetValueOrDefault(typeof(TMessage));
        }
    }

    /// <summary>Client calls made through <see cref="CallAsync{T}"/>, answered or not.</summary>
    public long ClientCalls { get; private set; }

    public bool IsReliable
    {
        get
        {
            lock (gate)
            {
                return unreliable is null;
            }
        }
    }

    /// <summary>
    /// Starts recording every message sent from now on (see <see cref="Trace"/>): two runs of one seed can then be
    /// compared message by message.
    /// </summary>
    public void StartTrace()
    {
        lock (gate)
        {
            trace ??= [];
        }
    }

    /// <summary>
    /// The messages sent since <see cref="StartTrace"/>, one line each (virtual time, sender, receiver, message, fate),
    /// ordered by virtual time, link and the order sent on the link: the same for two runs that did the same thing,
    /// whichever replica's thread sent first.
    /// </summary>
    public IReadOnlyList<string> Trace()
    {
        lock (gate)
        {
            return trace is null
                ? []
                : [.. trace.OrderBy(t => t.At).ThenBy(t => t.From).ThenBy(t => t.To).ThenBy(t => t.Sequence)
                    .Select(t => $"{t.At:HH:mm:ss.fff} {t.From}->{t.To} {t.What}")];
        }
    }

    /// <summary>Messages waiting, due or not.</summary>
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

    /// <summary>Loses, delays and reorders from now on; null options mean 6.5840's defaults.</summary>
    public void Unreliable(UnreliableOptions? options = null)
    {
        lock (gate)
        {
            unreliable = options ?? new UnreliableOptions();
        }
    }

    public void Reliable()
    {
        lock (gate)
        {
            unreliable = null;
        }
    }

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

    public bool IsConnected(long node)
    {
        lock (gate)
        {
            return !down.Contains(node);
        }
    }

    /// <summary>Cuts the link from <paramref name="from"/> to <paramref name="to"/> only (a one-way partition).</summary>
    public void Cut(long from, long to)
    {
        lock (gate)
        {
            cut.Add((from, to));
        }
    }

    /// <summary>Restores the link from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public void Join(long from, long to)
    {
        lock (gate)
        {
            cut.Remove((from, to));
        }
    }

    /// <summary>
    /// Splits the endpoints (replicas, and clients if named) into sides that cannot reach each other; links
    /// within a side are restored.
    /// </summary>
    public void Partition(params IReadOnlyList<long>[] sides)
    {
        lock (gate)
        {
            foreach (var a in sides)
            {
                foreach (var from in a)
                {
                    foreach (var to in a)
                    {
                        cut.Remove((from, to));
                    }
                }

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

    /// <summary>Restores every link and every node; an unreliable network stays unreliable.</summary>
    public void Heal()
    {
        lock (gate)
        {
            cut.Clear();
            down.Clear();
        }
    }

    /// <summary>
    /// Makes <paramref name="node"/> a straggler: every message to or from it waits <paramref name="delay"/> more
    /// (on top of any link delay and of an unreliable network's own); zero makes it normal again.
    /// </summary>
    public void Slow(long node, TimeSpan delay)
    {
        lock (gate)
        {
            nodeDelays[node] = delay;
        }
    }

    /// <summary>Every message from <paramref name="from"/> to <paramref name="to"/> waits <paramref name="delay"/> more.</summary>
    public void SlowLink(long from, long to, TimeSpan delay)
    {
        lock (gate)
        {
            linkDelays[(from, to)] = delay;
        }
    }

    public bool CanReach(long from, long to)
    {
        lock (gate)
        {
            return Reachable(from, to);
        }
    }

    /// <summary>
    /// A client's call to a replica, as an RPC over this network: the request and the reply may each be lost
    /// (or not get through a cut link), and each waits its delay on the cluster's clock. Returns null when no
    /// reply arrived within <paramref name="timeout"/>; the call may still have taken effect.
    /// </summary>
    public async Task<T?> CallAsync<T>(long client, long node, Func<CancellationToken, Task<T>?> call, TimeSpan timeout)
        where T : class
    {
        var deadline = time.GetUtcNow() + timeout;
        lock (gate)
        {
            ClientCalls++;
        }

        var request = Fate(client, node, isReply: false);
        if (request.Lost)
        {
            return await LostAsync<T>(deadline);
        }

        await DelayAsync(request.Delay);
        using var expiry = new CancellationTokenSource(Remaining(deadline), time);
        if (!CanReach(client, node) || call(expiry.Token) is not { } pending)
        {
            return await LostAsync<T>(deadline);
        }

        T reply;
        try
        {
            reply = await pending.WaitAsync(expiry.Token);
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested)
        {
            return null;
        }

        var response = Fate(node, client, isReply: true);
        if (response.Lost)
        {
            return await LostAsync<T>(deadline);
        }

        if (response.Delay >= Remaining(deadline))
        {
            return await LostAsync<T>(deadline);
        }

        await DelayAsync(response.Delay);
        return CanReach(node, client) ? reply : await LostAsync<T>(deadline);
    }

    /// <summary>Takes the messages due by now that can still get through, in a repeatable order.</summary>
    internal List<InFlightMessage> TakeDue()
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            var due = new List<InFlightMessage>();
            for (var i = queue.Count - 1; i >= 0; i--)
            {
                if (queue[i].DeliverAt <= now)
                {
                    due.Add(queue[i]);
                    queue.RemoveAt(i);
                }
            }

            due.Sort(static (a, b) => a.CompareTo(b));
            var reachable = due.Where(m => Reachable(m.Message.From, m.Message.To)).ToList();
            MessagesDropped += due.Count - reachable.Count;
            return reachable;
        }
    }

    /// <summary>Whether any waiting message is due by now.</summary>
    internal bool HasDue()
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            return queue.Exists(m => m.DeliverAt <= now);
        }
    }

    private static string Describe(RaftMessage message) => message switch
    {
        AppendRequest a => $"AppendRequest term {a.Term} prev {a.PrevLogIndex}/{a.PrevLogTerm} entries {a.Entries.Length} commit {a.Commit}",
        InstallSnapshotRequest i => $"InstallSnapshotRequest term {i.Term} snapshot {i.SnapshotIndex}/{i.SnapshotTerm} offset {i.Offset} bytes {i.Data.Length} done {i.Done}",
        _ => message.ToString(),
    };

    private static string Describe(MessageFate fate) =>
        fate.Lost ? "lost" : fate.DuplicateDelay is { } again ? $"in {fate.Delay.TotalMilliseconds} ms and {again.TotalMilliseconds} ms" : $"in {fate.Delay.TotalMilliseconds} ms";

    private static bool IsReply(RaftMessage message) => message is VoteResponse or AppendResponse or HeartbeatResponse or InstallSnapshotResponse;

    private static TimeSpan Remaining(DateTimeOffset deadline, DateTimeOffset now) =>
        deadline > now ? deadline - now : TimeSpan.Zero;

    private TimeSpan Remaining(DateTimeOffset deadline) => Remaining(deadline, time.GetUtcNow());

    private async Task<T?> LostAsync<T>(DateTimeOffset deadline)
        where T : class
    {
        // A lost RPC looks like one that never answers: the caller learns of it only at its timeout.
        await DelayAsync(Remaining(deadline));
        return null;
    }

    private Task DelayAsync(TimeSpan delay) => delay > TimeSpan.Zero ? Task.Delay(delay, time) : Task.CompletedTask;

    private bool Reachable(long from, long to) => !down.Contains(from) && !down.Contains(to) && !cut.Contains((from, to));

    private MessageFate Fate(long from, long to, bool isReply)
    {
        lock (gate)
        {
            var fate = RandomFate(from, to, isReply);
            var extra = nodeDelays.GetValueOrDefault(from) + nodeDelays.GetValueOrDefault(to) + linkDelays.GetValueOrDefault((from, to));
            return fate.Lost || extra <= TimeSpan.Zero
                ? fate
                : fate with { Delay = fate.Delay + extra, DuplicateDelay = fate.DuplicateDelay + extra };
        }
    }

    private MessageFate RandomFate(long from, long to, bool isReply)
    {
        if (!Reachable(from, to))
        {
            return MessageFate.Dropped;
        }

        if (unreliable is not { } faults)
        {
            return MessageFate.Now;
        }

        var random = Link(from, to).Random;
        if (random.NextDouble() < (isReply ? faults.ReplyDropRate : faults.RequestDropRate))
        {
            return MessageFate.Dropped;
        }

        var delay = isReply && faults.LongReordering && random.NextDouble() < faults.ReorderRate
            ? Between(random, faults.ReorderMinDelay, faults.ReorderMaxDelay)
            : Between(random, faults.MinDelay, faults.MaxDelay);
        var duplicate = faults.DuplicateRate > 0 && random.NextDouble() < faults.DuplicateRate;
        return new MessageFate(false, delay, duplicate ? Between(random, faults.MinDelay, faults.MaxDelay) : null);
    }

    private static TimeSpan Between(Random random, TimeSpan min, TimeSpan max) =>
        max <= min ? min : min + TimeSpan.FromMilliseconds(random.Next((int)(max - min).TotalMilliseconds + 1));

    private LinkState Link(long from, long to)
    {
        if (!links.TryGetValue((from, to), out var link))
        {
            link = new LinkState(new Random(LinkSeed(seed, from, to)));
            links[(from, to)] = link;
        }

        return link;
    }

    /// <summary>
    /// A link's seed from the network's, the same in every process (HashCode.Combine is randomized per process, so
    /// it made a replayed seed draw other faults than the run it replays). SplitMix64's finalizer spreads the bits.
    /// </summary>
    private static int LinkSeed(int seed, long from, long to)
    {
        unchecked
        {
            var x = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)from * 0xBF58476D1CE4E5B9UL + (ulong)to * 0x94D049BB133111EBUL;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return (int)(x ^ (x >> 31));
        }
    }

    private void Send(long group, RaftMessage message)
    {
        var fate = Fate(message.From, message.To, IsReply(message));
        var now = time.GetUtcNow();
        lock (gate)
        {
            MessagesSent++;
            sentByType[message.GetType()] = sentByType.GetValueOrDefault(message.GetType()) + 1;
            BytesSent += MessageCodec.GetFrameSize(message);
            if (message is AppendRequest append)
            {
                foreach (var entry in append.Entries)
                {
                    PayloadBytesSent += entry.Data.Length;
                }
            }

            var link = Link(message.From, message.To);
            trace?.Add((now, message.From, message.To, link.NextTraced(), $"{Describe(message)}: {Describe(fate)}"));
            if (fate.Lost)
            {
                MessagesDropped++;
                return;
            }

            queue.Add(new InFlightMessage(group, message, now + fate.Delay, link.NextSequence()));
            if (fate.DuplicateDelay is { } again)
            {
                queue.Add(new InFlightMessage(group, message, now + again, link.NextSequence()));
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
