using System.Globalization;
using System.Runtime.InteropServices;

namespace OrleansRaft.Bench.Measurement;

/// <summary>What the figures were measured on: cores, memory, OS, .NET, and how busy the machine was.</summary>
public static class MachineInfo
{
    /// <summary>One line: logical cores and CPU model, memory, OS, .NET runtime.</summary>
    public static string Describe()
    {
        var memory = ReadMeminfoKiB("MemTotal") is { } kib ? string.Create(CultureInfo.InvariantCulture, $"{kib / 1048576.0:F1} GiB RAM") : "RAM unknown";
        var model = CpuModel() is { } name ? $" ({name})" : "";
        return $"{Environment.ProcessorCount} logical cores{model}, {memory}, {OperatingSystem()}, {RuntimeInformation.FrameworkDescription}";
    }

    /// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg, or "n/a".</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]} {parts[1]} {parts[2]}";
        }
        catch (IOException)
        {
            return "n/a";
        }
        catch (UnauthorizedAccessException)
        {
            return "n/a";
        }
    }

    private static string OperatingSystem()
    {
        var description = RuntimeInformation.OSDescription;
        try
        {
            // OSDescription is the distribution's name on Linux; the kernel release says more about I/O and scheduling.
            var kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
            return description.Contains(kernel, StringComparison.Ordinal) ? description : $"{description}, Linux {kernel}";
        }
        catch (IOException)
        {
            return description;
        }
        catch (UnauthorizedAccessException)
        {
            return description;
        }
    }

    private static string? CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long? ReadMeminfoKiB(string field)
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
            var digits = line?[(field.Length + 1)..].Trim().Split(' ')[0];
            return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var kib) ? kib : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
