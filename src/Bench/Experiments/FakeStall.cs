using System.Diagnostics;

namespace OrleansRaft.Bench.Experiments;

/// <summary>
/// The selftest's known stall: between two <see cref="Stopwatch"/> timestamps every fake operation is held until
/// the stall ends, as a server pause (a GC, a blocked disk) holds every request it has.
/// </summary>
internal sealed class FakeStall
{
    private long from = long.MaxValue;
    private long to = long.MaxValue;

    public void Schedule(long fromTimestamp, TimeSpan length)
    {
        Volatile.Write(ref to, fromTimestamp + (long)(length.TotalSeconds * Stopwatch.Frequency));
        Volatile.Write(ref from, fromTimestamp);
    }

    public async ValueTask WaitOutAsync(CancellationToken cancellationToken)
    {
        var now = Stopwatch.GetTimestamp();
        var end = Volatile.Read(ref to);
        if (now >= Volatile.Read(ref from) && now < end)
        {
            await Task.Delay(Stopwatch.GetElapsedTime(now, end), cancellationToken);
        }
    }
}
