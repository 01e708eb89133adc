using System.Diagnostics;
using OrleansRaft.Bench.Cluster;

namespace OrleansRaft.Bench.Measurement;

/// <summary>
/// A system-wide <c>perf record -a -g</c> over the measured window, then <c>perf report</c> into text files:
/// where every core's time went, by process and by function. JIT-compiled .NET frames resolve when the
/// profiled processes run with <see cref="DotnetEnvironment"/> (perf maps on, W^X off).
/// </summary>
public sealed class PerfRecorder
{
    private readonly string directory;
    private readonly TextWriter log;
    private Process? process;

    public PerfRecorder(string directory, TextWriter log)
    {
        this.directory = directory;
        this.log = log;
    }

    /// <summary>What a .NET process needs in its environment for perf to name its JIT-compiled methods.</summary>
    public static IReadOnlyDictionary<string, string> DotnetEnvironment { get; } = new Dictionary<string, string>
    {
        ["DOTNET_PerfMapEnabled"] = "1",
        ["DOTNET_EnableWriteXorExecute"] = "0",
    };

    private string DataPath => Path.Combine(directory, "perf.data");

    public void Start(int frequency)
    {
        var start = new ProcessStartInfo("perf")
        {
            ArgumentList = { "record", "-F", frequency.ToString(System.Globalization.CultureInfo.InvariantCulture), "-a", "-g", "-o", DataPath },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            log.WriteLine($"bench: perf not started ({e.Message}); apt-get install linux-perf");
            return;
        }

        if (process is not null)
        {
            ChildProcesses.Track(process);
        }
    }

    /// <summary>
    /// Stops recording and writes perf-summary.md: samples by process group, by thread within each group, and
    /// each group's hottest functions (self time). Returns its path, or null when perf did not run.
    /// </summary>
    /// <param name="group">Names the group of a process from its pid and command, e.g. "silo 1", "postgres".</param>
    public async Task<string?> StopAsync(Func<int, string, string> group)
    {
        if (process is null)
        {
            return null;
        }

        await ChildProcesses.SignalAsync(process, "INT");
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        ChildProcesses.Forget(process);
        await File.WriteAllTextAsync(Path.Combine(directory, "perf-record.log"), await stderr);
        process.Dispose();
        process = null;

        // One line per sample, without call chains: "comm pid/tid ip symbol (dso)" (perf prints no symbol without ip).
        var start = new ProcessStartInfo("perf")
        {
            ArgumentList = { "script", "-i", DataPath, "-G", "-F", "comm,pid,tid,ip,sym,dso" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var script = Process.Start(start);
        if (script is null)
        {
            return null;
        }

        _ = script.StandardError.ReadToEndAsync();
        var summary = new PerfSummary(group);
        while (await script.StandardOutput.ReadLineAsync() is { } line)
        {
            summary.Add(line);
        }

        await script.WaitForExitAsync();
        var path = Path.Combine(directory, "perf-summary.md");
        await File.WriteAllTextAsync(path, summary.ToMarkdown(symbolsPerGroup: 40));
        return path;
    }
}
