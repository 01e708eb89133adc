namespace OrleansRaft.Bench.Measurement;

/// <summary>
/// Where the cores went between two samples, in cores busy: the bench itself, the system under test (its
/// processes and their children), and everything else on the machine ("other": other people's jobs, which make
/// the figures noisy when well above 0).
/// </summary>
public readonly record struct CpuSplit(double Bench, double System, double Other, double Cores)
{
    public static CpuSplit Between(CpuSample before, CpuSample after, IEnumerable<int> systemRoots)
    {
        var wall = Math.Max(1e-9, (after.Timestamp - before.Timestamp) / (double)global::System.Diagnostics.Stopwatch.Frequency);
        var self = Environment.ProcessId;
        var system = CpuSample.Descendants(before, after, systemRoots);
        system.Remove(self);
        var bench = CpuSample.CpuSeconds(before, after, (pid, _) => pid == self);
        var ours = CpuSample.CpuSeconds(before, after, (pid, _) => system.Contains(pid));
        var busy = CpuSample.BusySeconds(before, after);
        return new CpuSplit(bench / wall, ours / wall, Math.Max(0, busy - bench - ours) / wall, CpuSample.TotalSeconds(before, after) / wall);
    }
}
