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

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
