using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// The wire between nodes: each message gets a random delay (sometimes a very long one, which reorders it),
/// may be dropped or duplicated, and is lost if a partition blocks its link when it arrives.
/// Links are directed, so one-way partitions are just blocked[a, b] without blocked[b, a].
/// </summary>
public sealed class SimNetwork
{
    private readonly EventQueue queue;
    private readonly Random rng;
    private readonly bool[,] blocked;
    private readonly long[,] lastArrival;
    private readonly int nodes;

    public SimNetwork(EventQueue queue, Random rng, int nodes, int minDelayMs, int maxDelayMs)
    {
        this.queue = queue;
        this.rng = rng;
        this.nodes = nodes;
        blocked = new bool[nodes + 1, nodes + 1];
        lastArrival = new long[nodes + 1, nodes + 1];
        MinDelayMs = minDelayMs;
        MaxDelayMs = maxDelayMs;
    }

    public int MinDelayMs { get; set; }

    public int MaxDelayMs { get; set; }

    public double DropRate { get; set; }

    public double DuplicateRate { get; set; }

    public double TailRate { get; set; }

    public long TailMaxMs { get; set; }

    /// <summary>Each link delivers in send order (a message never overtakes an earlier one on the same link).</summary>
    public bool Fifo { get; set; }

    /// <summary>Bumped whenever the partition changes, so a stale heal does not undo a newer partition.</summary>
    public long PartitionGeneration { get; private set; }

    public bool Partitioned { get; private set; }

    public long Sent { get; private set; }

    public long Dropped { get; private set; }

    /// <summary>InstallSnapshot chunks sent (whether or not they arrived).</summary>
    public long SnapshotChunks { get; private set; }

    public bool IsBlocked(long from, long to) => blocked[from, to];

    public void Send(RaftMessage message)
    {
        Sent++;
        if (message is InstallSnapshotRequest)
        {
            SnapshotChunks++;
        }

        if (DropRate > 0 && rng.NextDouble() < DropRate)
        {
            Dropped++;
            return;
        }

        queue.Schedule(Delay(message), new SimEvent(SimEventKind.Deliver, message.To, 0, 0, message));
        if (DuplicateRate > 0 && rng.NextDouble() < DuplicateRate)
        {
            queue.Schedule(Delay(message), new SimEvent(SimEventKind.Deliver, message.To, 0, 1, message));
        }
    }

    public void Heal()
    {
        Array.Clear(blocked);
        Partitioned = false;
        PartitionGeneration++;
    }

    /// <summary>Blocks messages from every node of <paramref name="from"/> to every node of <paramref name="to"/>.</summary>
    public void Block(IEnumerable<long> from, IEnumerable<long> to)
    {
        var targets = to.ToArray();
        foreach (var a in from)
        {
            foreach (var b in targets)
            {
                if (a != b)
                {
                    blocked[a, b] = true;
                    Partitioned = true;
                }
            }
        }
    }

    /// <summary>Cuts <paramref name="side"/> off from everyone else in both directions.</summary>
    public void Split(IReadOnlyCollection<long> side)
    {
        var rest = Enumerable.Range(1, nodes).Select(i => (long)i).Except(side).ToArray();
        Block(side, rest);
        Block(rest, side);
    }

    public void BlockLink(long from, long to)
    {
        if (from != to)
        {
            blocked[from, to] = true;
            Partitioned = true;
        }
    }

    public void MakeReliable(int maxDelayMs)
    {
        Fifo = true;
        DropRate = 0;
        DuplicateRate = 0;
        TailRate = 0;
        MinDelayMs = 1;
        MaxDelayMs = maxDelayMs;
    }

    public string Describe()
    {
        if (!Partitioned)
        {
            return "no partition";
        }

        var cut = new List<string>();
        for (var a = 1; a <= nodes; a++)
        {
            for (var b = 1; b <= nodes; b++)
            {
                if (blocked[a, b] && blocked[b, a])
                {
                    if (a < b)
                    {
                        cut.Add($"{a}x{b}");
                    }
                }
                else if (blocked[a, b])
                {
                    cut.Add($"{a}->{b}");
                }
            }
        }

        return "cut " + string.Join(' ', cut);
    }

    private long Delay(RaftMessage message)
    {
        var delay = TailRate > 0 && rng.NextDouble() < TailRate
            ? rng.NextInt64(MaxDelayMs, Math.Max(MaxDelayMs, TailMaxMs) + 1)
            : rng.Next(MinDelayMs, MaxDelayMs + 1);
        if (Fifo)
        {
            var arrival = Math.Max(queue.Now + delay, lastArrival[message.From, message.To]);
            lastArrival[message.From, message.To] = arrival;
            delay = arrival - queue.Now;
        }

        return delay;
    }
}
