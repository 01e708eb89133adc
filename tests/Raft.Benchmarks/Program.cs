using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansRaft.Raft.Benchmarks;

/// <summary>
/// Measures the Raft core alone: a 3-node in-memory cluster, one thread, synchronous delivery, MemoryStorage.
/// Each turn the leader proposes a batch of B commands and the harness pumps Ready/Advance on all nodes until
/// quiescent, so every turn ends with the batch committed and applied on all three nodes.
/// <code>dotnet run -c Release --project tests/Raft.Benchmarks -- [--entries N] [--batch 1,10,100,1000] [--size 100]
///     [--runs R] [--warmup N] [--keep 10000] [--breakdown] [--alloc-types]</code>
/// </summary>
internal static class Program
{
    private const int Nodes = 3;

    public static int Main(string[] args)
    {
        Settings settings;
        try
        {
            settings = Settings.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Settings.Usage);
            return 2;
        }

        if (settings.Help)
        {
            Console.WriteLine(Settings.Usage);
            return 0;
        }

#if DEBUG
        Console.WriteLine("> WARNING: Debug build; run with -c Release for meaningful numbers.");
#endif
        Console.WriteLine(MachineLine());
        Console.WriteLine(
            $"Cluster: {Nodes} nodes, one thread, synchronous delivery, MemoryStorage (compact to last {settings.Keep:N0} once {2 * settings.Keep:N0} held); " +
            $"payload {settings.Size} B; runs per batch {settings.Runs} (median shown); no ticks.");
        Console.WriteLine();

        var payloads = new Payloads(settings.Size);
        var results = new List<Result>();
        var breakdowns = new List<(int Batch, long Entries, Breakdown Breakdown)>();
        var allocationTypes = new List<(int Batch, long Entries, List<(string Type, long Bytes)> Types)>();
        foreach (var batch in settings.Batches)
        {
            var entries = RoundUp(settings.EntriesFor(batch), batch);
            var warmup = RoundUp(settings.WarmupFor(entries), batch);
            Console.Error.WriteLine($"batch {batch}: warm-up runs of {warmup:N0} entries for >= 1 s, then {settings.Runs} x {entries:N0}");
            var warmupStart = Stopwatch.GetTimestamp();
            do
            {
                Run(batch, warmup, settings.Keep, payloads, breakdown: null);
            }
            while (Stopwatch.GetElapsedTime(warmupStart) < TimeSpan.FromSeconds(1));

            var runs = new List<Result>();
            for (var r = 0; r < settings.Runs; r++)
            {
                var result = Run(batch, entries, settings.Keep, payloads, breakdown: null);
                Console.Error.WriteLine($"  run {r + 1}: {result.PerCpuSecond:N0} entries/CPU-s, {result.PerWallSecond:N0} entries/s wall");
                runs.Add(result);
            }

            runs.Sort((a, b) => a.PerCpuSecond.CompareTo(b.PerCpuSecond));
            var median = runs[runs.Count / 2] with { MinPerCpu = runs[0].PerCpuSecond, MaxPerCpu = runs[^1].PerCpuSecond };
            results.Add(median);

            if (settings.Breakdown)
            {
                var b = new Breakdown();
                Run(batch, entries, settings.Keep, payloads, b);
                breakdowns.Add((batch, entries, b));
            }

            if (settings.AllocationTypes)
            {
                // Created only now: the runtime's verbose GC events would perturb the measured runs.
                using var listener = new AllocationListener();
                listener.StartRecording();
                Run(batch, entries, settings.Keep, payloads, breakdown: null);
                Thread.Sleep(TimeSpan.FromSeconds(2)); // runtime events reach the listener asynchronously
                allocationTypes.Add((batch, entries, listener.StopRecording()));
            }
        }

        Console.WriteLine(ResultTable(results, settings.Runs > 1));
        if (breakdowns.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine(BreakdownTable(breakdowns));
        }

        foreach (var (batch, entries, types) in allocationTypes)
        {
            Console.WriteLine();
            Console.WriteLine(AllocationTable(batch, entries, types));
        }

        return 0;
    }

    private static Result Run(int batchSize, long entries, long keep, Payloads payloads, Breakdown? breakdown)
    {
        var cluster = new Cluster(Nodes, keep, breakdown);
        cluster.ElectNodeOne();
        cluster.ResetCounters();
        var leader = cluster.Leader;
        var batch = new ReadOnlyMemory<byte>[batchSize];
        var turns = entries / batchSize;

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        breakdown?.Clear();

        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var pause = GC.GetTotalPauseDuration();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = CpuTime();
        var wall = Stopwatch.GetTimestamp();

        for (long turn = 0; turn < turns; turn++)
        {
            payloads.Fill(batch);
            long t = 0;
            if (breakdown is not null)
            {
                t = breakdown.Start();
            }

            var proposed = leader.Propose(batch);
            if (breakdown is not null)
            {
                breakdown.Add(Phase.Propose, t);
            }

            if (!proposed.Accepted)
            {
                throw new InvalidOperationException($"proposal rejected: {proposed.Status}");
            }

            cluster.PumpUntilQuiet();
        }

        var wallTime = Stopwatch.GetElapsedTime(wall);
        var cpuTime = CpuTime() - cpu;
        var allocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var result = new Result(
            batchSize,
            entries,
            turns,
            cpuTime,
            wallTime,
            allocatedBytes,
            GC.CollectionCount(0) - gen0,
            GC.CollectionCount(1) - gen1,
            GC.CollectionCount(2) - gen2,
            GC.GetTotalPauseDuration() - pause,
            cluster.Readies,
            cluster.Messages,
            cluster.AppendsWithEntries);

        cluster.Verify(entries);
        return result;
    }

    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static long RoundUp(long value, int multiple) => Math.Max(1, (value + multiple - 1) / multiple) * multiple;

    private static string MachineLine() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"Machine: {Environment.ProcessorCount} logical CPUs; {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture}); " +
            $"{RuntimeInformation.FrameworkDescription}; {(GCSettings.IsServerGC ? "server" : "workstation")} GC, " +
            $"{(GCSettings.LatencyMode == GCLatencyMode.Batch ? "non-concurrent" : "concurrent")}; " +
            $"{(IsOptimized() ? "Release" : "Debug")}");

    private static bool IsOptimized()
    {
#if DEBUG
        return false;
#else
        return true;
#endif
    }

    private static string ResultTable(List<Result> results, bool spread)
    {
        var sb = new StringBuilder();
        sb.Append("| batch | entries | turns | CPU s | wall s | entries/CPU-s | entries/s (wall) | alloc B/entry | gen0 | gen1 | gen2 | GC pause % | msgs/turn | readies/turn | appends w/ entries/turn |");
        if (spread)
        {
            sb.Append(" min-max entries/CPU-s |");
        }

        sb.AppendLine();
        sb.Append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        if (spread)
        {
            sb.Append("---:|");
        }

        sb.AppendLine();
        foreach (var r in results)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"| {r.Batch} | {r.Entries:N0} | {r.Turns:N0} | {r.Cpu.TotalSeconds:F2} | {r.Wall.TotalSeconds:F2} | **{r.PerCpuSecond:N0}** | {r.PerWallSecond:N0} | " +
                $"{(double)r.AllocatedBytes / r.Entries:N1} | {r.Gen0} | {r.Gen1} | {r.Gen2} | {100 * r.GcPause.TotalSeconds / r.Wall.TotalSeconds:F1} | " +
                $"{(double)r.Messages / r.Turns:F2} | {(double)r.Readies / r.Turns:F2} | {(double)r.AppendsWithEntries / r.Turns:F2} |");
            if (spread)
            {
                sb.Append(CultureInfo.InvariantCulture, $" {r.MinPerCpu:N0}-{r.MaxPerCpu:N0} |");
            }

            sb.AppendLine();
        }

        return sb.ToString().TrimEnd();
    }

    private static string BreakdownTable(List<(int Batch, long Entries, Breakdown Breakdown)> breakdowns)
    {
        var sb = new StringBuilder();
        sb.AppendLine("Breakdown (a separate run with a timestamp and GC.GetAllocatedBytesForCurrentThread around every host call;");
        sb.AppendLine("ns per entry, % of timed total, bytes allocated per entry; the timing itself adds ~50 ns per call, which dominates at B=1):");
        sb.AppendLine();
        sb.Append("| phase |");
        foreach (var (batch, _, _) in breakdowns)
        {
            sb.Append(CultureInfo.InvariantCulture, $" B={batch} ns/entry | B={batch} % | B={batch} B/entry |");
        }

        sb.AppendLine();
        sb.Append("|---|");
        foreach (var _ in breakdowns)
        {
            sb.Append("---:|---:|---:|");
        }

        sb.AppendLine();
        foreach (var phase in Breakdown.Phases)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {phase} |");
            foreach (var (_, entries, b) in breakdowns)
            {
                var ns = b[phase].TotalNanoseconds / entries;
                var pct = 100 * b[phase].TotalSeconds / b.Total.TotalSeconds;
                sb.Append(CultureInfo.InvariantCulture, $" {ns:F1} | {pct:F1} | {(double)b.Bytes(phase) / entries:F1} |");
            }

            sb.AppendLine();
        }

        sb.Append("| **total** |");
        foreach (var (_, entries, b) in breakdowns)
        {
            sb.Append(CultureInfo.InvariantCulture, $" {b.Total.TotalNanoseconds / entries:F1} | 100 | {(double)b.TotalBytes / entries:F1} |");
        }

        return sb.ToString();
    }

    private static string AllocationTable(int batch, long entries, List<(string Type, long Bytes)> types)
    {
        long total = 0;
        foreach (var (_, bytes) in types)
        {
            total += bytes;
        }

        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Allocations by type, B={batch} (sampled from GC AllocationTick events, ~100 KB each; a separate run):");
        sb.AppendLine();
        sb.AppendLine("| type | % of bytes | ~B/entry |");
        sb.AppendLine("|---|---:|---:|");
        for (var i = 0; i < Math.Min(12, types.Count); i++)
        {
            var (type, bytes) = types[i];
            sb.AppendLine(CultureInfo.InvariantCulture, $"| `{type}` | {100.0 * bytes / total:F1} | {(double)bytes / entries:F1} |");
        }

        sb.Append(CultureInfo.InvariantCulture, $"| **all** | 100 | {(double)total / entries:F1} |");
        return sb.ToString();
    }

    private sealed record Result(
        int Batch,
        long Entries,
        long Turns,
        TimeSpan Cpu,
        TimeSpan Wall,
        long AllocatedBytes,
        int Gen0,
        int Gen1,
        int Gen2,
        TimeSpan GcPause,
        long Readies,
        long Messages,
        long AppendsWithEntries)
    {
        public double PerCpuSecond => Entries / Cpu.TotalSeconds;

        public double PerWallSecond => Entries / Wall.TotalSeconds;

        public double MinPerCpu { get; init; }

        public double MaxPerCpu { get; init; }
    }
}
