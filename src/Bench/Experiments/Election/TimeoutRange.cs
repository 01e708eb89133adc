using System.Globalization;
using OrleansRaft.Bench.Cli;

namespace OrleansRaft.Bench.Experiments.Election;

/// <summary>
/// One <c>--timeouts</c> range in ms, and how each system is configured for it. The silo counts in ticks
/// (<c>--tick-ms</c>; <c>--election-timeout min-max</c> becomes min/tick .. max/tick ticks and must span at least one
/// tick; the heartbeat must be at least one tick shorter than the minimum). etcd draws from [E, 2E) with a heartbeat
/// of at most E/5.
/// </summary>
public sealed record TimeoutRange(int MinMs, int MaxMs)
{
    public string Label => $"{MinMs}-{MaxMs}";

    public static IReadOnlyList<TimeoutRange> ParseList(string text) =>
        [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Parse)];

    public static TimeoutRange Parse(string text)
    {
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var max)
            && min > 0 && max > min
                ? new TimeoutRange(min, max)
                : throw new UsageException($"--timeouts '{text}': expected ranges min-max in ms with 0 < min < max, e.g. 12-25,150-300");
    }

    /// <summary>
    /// The silo's options for this range: a tick of min/10 ms (1..10; the silo's default 10 ms tick for 150-300), a
    /// heartbeat of min/5 as the default 30 ms is for 150. A range the silo cannot express (below 2 ticks of 1 ms)
    /// runs as the nearest one it can, and <paramref name="note"/> says so.
    /// </summary>
    public (string Arguments, int MinMs, int MaxMs, int TickMs, int HeartbeatMs) Silo(out string? note)
    {
        var tick = Math.Clamp(MinMs / 10, 1, 10);
        var minTicks = MinMs / tick;
        var maxTicks = MaxMs / tick;
        note = null;
        if (minTicks < 2 || maxTicks <= minTicks)
        {
            tick = 1;
            minTicks = Math.Max(2, MinMs);
            maxTicks = Math.Max(minTicks + 1, MaxMs);
            note = $"the silo cannot run {Label} ms (its minimum is 2 ticks of 1 ms with a 1 ms heartbeat): ran {minTicks}-{maxTicks} ms";
        }
        else if (minTicks * tick != MinMs || maxTicks * tick != MaxMs)
        {
            note = $"in {tick} ms ticks: {minTicks * tick}-{maxTicks * tick} ms";
        }

        var heartbeatTicks = Math.Clamp(minTicks / 5, 1, minTicks - 1);
        var (minMs, maxMs, heartbeatMs) = (minTicks * tick, maxTicks * tick, heartbeatTicks * tick);
        return (string.Create(CultureInfo.InvariantCulture, $"--tick-ms {tick} --election-timeout {minMs}-{maxMs} --heartbeat-ms {heartbeatMs}"), minMs, maxMs, tick, heartbeatMs);
    }

    /// <summary>etcd's flags for this range: election timeout = min (etcd waits [min, 2·min)), heartbeat = min/5.</summary>
    public (int HeartbeatMs, int ElectionMs) Etcd(out string note)
    {
        var heartbeat = Math.Max(1, MinMs / 5);
        note = $"etcd: --election-timeout {MinMs} --heartbeat-interval {heartbeat} (it draws from {MinMs}-{2 * MinMs} ms)";
        return (heartbeat, MinMs);
    }
}
