using System.Diagnostics;
using OrleansRaft.Bench.Cluster;

namespace OrleansRaft.Bench.Targets;

/// <summary>One etcd process of a bench-managed cluster: its command line (reused to restart it), its log, its member id.</summary>
internal sealed class EtcdMember(int node, IReadOnlyList<string> arguments, Uri clientAddress, string logPath)
{
    private Process? process;

    public int Node => node;

    public Uri ClientAddress => clientAddress;

    /// <summary>etcd's member id (a decimal string in the JSON API), learned from its first status answer.</summary>
    public string? MemberId { get; set; }

    public int? ProcessId => process is { HasExited: false } p ? p.Id : null;

    public void Start()
    {
        // etcd logs to stderr: through a shell redirect into its file, so nothing has to pump it.
        var shell = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardInput = true };
        shell.ArgumentList.Add("-c");
        shell.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$LOG\" 2>&1");
        shell.ArgumentList.Add("etcd");
        foreach (var argument in arguments)
        {
            shell.ArgumentList.Add(argument);
        }

        shell.Environment["LOG"] = logPath;
        process = Process.Start(shell) ?? throw new InvalidOperationException($"could not start etcd member {node}");
        process.StandardInput.Close();
        ChildProcesses.Track(process);
    }

    public async Task KillAsync()
    {
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill();
        }

        await process.WaitForExitAsync(CancellationToken.None);
        ChildProcesses.Forget(process);
        process.Dispose();
        process = null;
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (process is { HasExited: false } running && await ChildProcesses.TerminateAsync(running))
        {
            using var deadline = new CancellationTokenSource(grace);
            try
            {
                await running.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                // Killed below.
            }
        }

        await KillAsync();
    }
}
