using System.Globalization;

namespace OrleansRaft.EndToEnd.Tests;

/// <summary>
/// The processes a <c>scripts/cluster</c> folder started, seen through /proc: the pids it recorded (silos, gateway,
/// the PostgreSQL postmaster) and every process that carries the folder in its <c>RAFT_CLUSTER</c> marker variables.
/// </summary>
public static class ClusterProcesses
{
    /// <summary>Pids named by the folder's pid files and PostgreSQL's postmaster.pid.</summary>
    public static IReadOnlySet<int> Recorded(string directory)
    {
        var files = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.pid").ToList() : [];
        files.Add(Path.Combine(directory, "pg", "data", "postmaster.pid"));
        var pids = new HashSet<int>();
        foreach (var file in files.Where(File.Exists))
        {
            var first = File.ReadLines(file).FirstOrDefault();
            if (int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    /// <summary>Live processes (zombies excluded) whose environment names <paramref name="directory"/> as their cluster.</summary>
    public static IReadOnlySet<int> Marked(string directory)
    {
        var pids = new HashSet<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var variables = File.ReadAllText(Path.Combine(entry, "environ")).Split('\0');
                if (variables.Any(v => v == $"RAFT_CLUSTER={directory}" || v.StartsWith($"RAFT_CLUSTER_NODE={directory}#", StringComparison.Ordinal)) && IsAlive(pid))
                {
                    pids.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }

        return pids;
    }

    /// <summary>Whether <paramref name="pid"/> runs (a zombie or a vanished process does not).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>One line naming a process: pid and command line.</summary>
    public static string Describe(int pid)
    {
        try
        {
            var command = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline").Replace('\0', ' ').Trim();
            return $"{pid} {(command.Length > 160 ? command[..160] + "…" : command)}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{pid} (gone)";
        }
    }
}
