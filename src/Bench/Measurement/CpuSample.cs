using System.Diagnostics;
using System.Globalization;

namespace OrleansRaft.Bench.Measurement;

/// <summary>
/// CPU time consumed so far by the machine and by every process, from /proc (Linux; empty elsewhere). Two
/// samples give who used the cores in between: the bench, each silo, PostgreSQL, everything else.
/// </summary>
public sealed class CpuSample
{
    // USER_HZ: what /proc counts CPU time in; 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    private CpuSample(long timestamp, long busyTicks, long totalTicks, Dictionary<int, (string Name, long Ticks)> processes, Dictionary<int, int> parents)
    {
        Timestamp = timestamp;
        BusyTicks = busyTicks;
        TotalTicks = totalTicks;
        Processes = processes;
        Parents = parents;
    }

    public long Timestamp { get; }

    /// <summary>Non-idle time of all cores, in USER_HZ ticks.</summary>
    public long BusyTicks { get; }

    public long TotalTicks { get; }

    /// <summary>Process id → (command name, user + system ticks).</summary>
    public IReadOnlyDictionary<int, (string Name, long Ticks)> Processes { get; }

    /// <summary>Process id → parent process id, to count a server's worker processes (PostgreSQL backends) with it.</summary>
    public IReadOnlyDictionary<int, int> Parents { get; }

    public static CpuSample Take()
    {
        var timestamp = Stopwatch.GetTimestamp();
        long busy = 0, total = 0;
        var processes = new Dictionary<int, (string, long)>();
        var parents = new Dictionary<int, int>();
        try
        {
            // cpu  user nice system idle iowait irq softirq steal (guest time is already inside user)
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            total = fields.Sum();
            busy = total - fields[3] - fields[4];
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ReadProcess(directory) is { } process)
                {
                    processes[pid] = (process.Name, process.Ticks);
                    parents[pid] = process.Parent;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            // Not Linux, or /proc unreadable: an empty sample, reported as unknown.
        }

        return new CpuSample(timestamp, busy, total, processes, parents);
    }

    /// <summary>Seconds of CPU between two samples spent by the processes <paramref name="select"/> picks.</summary>
    public static double CpuSeconds(CpuSample before, CpuSample after, Func<int, string, bool> select)
    {
        long ticks = 0;
        foreach (var (pid, (name, used)) in after.Processes)
        {
            if (select(pid, name))
            {
                // A process that started in between used all its time in between.
                ticks += used - (before.Processes.TryGetValue(pid, out var earlier) && earlier.Name == name ? earlier.Ticks : 0);
            }
        }

        return ticks / TicksPerSecond;
    }

    /// <summary>Every process in <paramref name="roots"/> or below one of them, as either sample saw them.</summary>
    public static HashSet<int> Descendants(CpuSample before, CpuSample after, IEnumerable<int> roots)
    {
        var found = new HashSet<int>(roots);
        var parents = new Dictionary<int, int>(before.Parents);
        foreach (var (pid, parent) in after.Parents)
        {
            parents[pid] = parent;
        }

        bool added;
        do
        {
            added = false;
            foreach (var (pid, parent) in parents)
            {
                if (found.Contains(parent) && found.Add(pid))
                {
                    added = true;
                }
            }
        }
        while (added);
        return found;
    }

    /// <summary>Busy seconds of all cores together between two samples.</summary>
    public static double BusySeconds(CpuSample before, CpuSample after) => (after.BusyTicks - before.BusyTicks) / TicksPerSecond;

    /// <summary>Core-seconds available between two samples (wall time × cores).</summary>
    public static double TotalSeconds(CpuSample before, CpuSample after) => (after.TotalTicks - before.TotalTicks) / TicksPerSecond;

    private static (string Name, long Ticks, int Parent)? ReadProcess(string directory)
    {
        try
        {
            // pid (comm) state ppid … utime stime: the name may hold spaces and parentheses, so split after the last ')'.
            var stat = File.ReadAllText(Path.Combine(directory, "stat"));
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var rest = stat[(close + 2)..].Split(' ');
            var ticks = long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
            return (stat[(open + 1)..close], ticks, int.Parse(rest[1], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null; // gone meanwhile
        }
    }
}
