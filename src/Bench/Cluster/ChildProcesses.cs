using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrleansRaft.Bench.Cluster;

/// <summary>
/// Every process the bench started and has not yet reaped. Orderly shutdown stops them one by one; this is the
/// backstop that SIGKILLs whatever is left when the bench process exits some other way, so no silo outlives it
/// holding its port.
/// </summary>
public static class ChildProcesses
{
    private static readonly ConcurrentDictionary<int, Process> Live = new();

    static ChildProcesses()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    public static void Track(Process process) => Live[process.Id] = process;

    public static void Forget(Process process) => Live.TryRemove(process.Id, out _);

    public static void KillAll()
    {
        foreach (var process in Live.Values)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }

        Live.Clear();
    }

    /// <summary>Asks a process to stop (SIGTERM) so it can shut down gracefully; false when it could not be signalled.</summary>
    public static Task<bool> TerminateAsync(Process process) => SignalAsync(process, "TERM");

    /// <summary>Sends a POSIX signal by name (TERM, INT); false when it could not be sent.</summary>
    public static async Task<bool> SignalAsync(Process process, string signal)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return false;
        }

        // .NET can receive POSIX signals but not send them; kill(1) avoids unsafe P/Invoke for a few calls per run.
        var start = new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false, RedirectStandardError = true };
        try
        {
            using var kill = Process.Start(start);
            if (kill is null)
            {
                return false;
            }

            await kill.WaitForExitAsync();
            return kill.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
