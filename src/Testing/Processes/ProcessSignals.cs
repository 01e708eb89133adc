using System.Runtime.InteropServices;

namespace OrleansRaft.Testing.Processes;

/// <summary>POSIX signals to a process by id: .NET itself offers only SIGKILL (<c>Process.Kill</c>).</summary>
public static partial class ProcessSignals
{
    // Linux numbering; macOS differs for STOP and CONT.
    public static int Kill => 9;

    public static int Terminate => 15;

    public static int Stop => OperatingSystem.IsMacOS() ? 17 : 19;

    public static int Continue => OperatingSystem.IsMacOS() ? 19 : 18;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; throws when the kernel refuses.</summary>
    public static void Send(int pid, int signal)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            throw new PlatformNotSupportedException("process signals need Linux or macOS");
        }

        if (SendSignal(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// Waits until every thread of <paramref name="pid"/> is stopped. kill(SIGSTOP) returns before that: on a busy
    /// machine a thread that has not been scheduled yet keeps running (and answering requests) for milliseconds.
    /// </summary>
    public static void WaitUntilStopped(int pid, TimeSpan timeout)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!AllThreadsStopped(pid))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"process {pid} did not stop within {timeout.TotalSeconds:0.#} s of SIGSTOP");
            }

            Thread.Sleep(1);
        }
    }

    private static bool AllThreadsStopped(int pid)
    {
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                // /proc/<pid>/task/<tid>/stat: "tid (comm) S ..."; comm may hold spaces and parentheses.
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart()[0];
                if (state is not ('T' or 't'))
                {
                    return false;
                }
            }

            return true;
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException or IOException)
        {
            // The process or one of its threads is gone: it will not answer either.
            return true;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
