using System.Diagnostics;

namespace OrleansRaft.Raft.Benchmarks;

/// <summary>The host-side steps of one turn, timed separately with <c>--breakdown</c>.</summary>
internal enum Phase
{
    /// <summary>Leader: Propose(batch).</summary>
    Propose,

    /// <summary>Any node: HasReady().</summary>
    HasReady,

    /// <summary>Any node: Ready() (includes building the AppendRequests on the leader).</summary>
    Ready,

    /// <summary>Harness: MemoryStorage.SetHardState and Append.</summary>
    Persist,

    /// <summary>Target node: Step(message) for every message of the Ready.</summary>
    Step,

    /// <summary>Harness: walking CommittedEntries.</summary>
    Apply,

    /// <summary>Any node: Advance(ready).</summary>
    Advance,

    /// <summary>Harness: MemoryStorage.Compact.</summary>
    Compact,
}

/// <summary>Accumulated stopwatch ticks per <see cref="Phase"/>.</summary>
internal sealed class Breakdown
{
    public static readonly Phase[] Phases = Enum.GetValues<Phase>();

    private readonly long[] ticks = new long[Phases.Length];
    private readonly long[] bytes = new long[Phases.Length];
    private long lastAllocated = GC.GetAllocatedBytesForCurrentThread();

    /// <summary>
    /// Charges the time since <paramref name="start"/>, and the bytes this thread allocated since the previous
    /// call, to <paramref name="phase"/>; returns now.
    /// </summary>
    public long Add(Phase phase, long start)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var now = Stopwatch.GetTimestamp();
        ticks[(int)phase] += now - start;
        bytes[(int)phase] += allocated - lastAllocated;
        lastAllocated = allocated;
        return now;
    }

    /// <summary>Starts a phase: the bytes allocated since the last call are charged to nobody.</summary>
    public long Start()
    {
        lastAllocated = GC.GetAllocatedBytesForCurrentThread();
        return Stopwatch.GetTimestamp();
    }

    public TimeSpan this[Phase phase] => Stopwatch.GetElapsedTime(0, ticks[(int)phase]);

    public long Bytes(Phase phase) => bytes[(int)phase];

    public TimeSpan Total
    {
        get
        {
            long sum = 0;
            foreach (var t in ticks)
            {
                sum += t;
            }

            return Stopwatch.GetElapsedTime(0, sum);
        }
    }

    public long TotalBytes
    {
        get
        {
            long sum = 0;
            foreach (var b in bytes)
            {
                sum += b;
            }

            return sum;
        }
    }

    public void Clear()
    {
        Array.Clear(ticks);
        Array.Clear(bytes);
    }
}
