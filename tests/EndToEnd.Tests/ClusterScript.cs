using System.Diagnostics;
using System.Globalization;

namespace OrleansRaft.EndToEnd.Tests;

/// <summary>
/// Runs <c>scripts/cluster</c> of this checkout against one cluster folder and its ports, as a user would from a
/// shell. ORLEANSRAFT_* variables of the test's environment are not passed on, so the cluster never shares a
/// user's external PostgreSQL: it starts its own under <see cref="Directory"/>.
/// </summary>
public sealed class ClusterScript(string repositoryRoot, string directory, int gatewayPort, int siloBasePort, Action<string> log)
{
    public string Directory => directory;

    public int GatewayPort => gatewayPort;

    public int SiloBasePort => siloBasePort;

    public Uri Gateway => new($"http://127.0.0.1:{gatewayPort.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Silo <paramref name="node"/>'s base address as the script gives it: port SILO_BASE_PORT + node - 1.</summary>
    public string SiloAddress(long node) => $"http://127.0.0.1:{(siloBasePort + node - 1).ToString(CultureInfo.InvariantCulture)}";

    public string ScriptPath => Path.Combine(repositoryRoot, "scripts", "cluster");

    /// <summary>Runs the script and returns its outcome; kills the script (not the cluster) if it outlives <paramref name="timeout"/>.</summary>
    public async Task<ScriptResult> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        var command = string.Join(' ', arguments);
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = repositoryRoot,
        };
        start.ArgumentList.Add(ScriptPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ORLEANSRAFT_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["CLUSTER_DIR"] = directory;
        start.Environment["GATEWAY_PORT"] = gatewayPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["SILO_BASE_PORT"] = siloBasePort.ToString(CultureInfo.InvariantCulture);

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not run {ScriptPath}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var wait = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: false);
                await process.WaitForExitAsync(CancellationToken.None);
                throw new TimeoutException($"scripts/cluster {command} did not finish within {timeout.TotalSeconds:0} s\n--- stdout\n{await stdout}\n--- stderr\n{await stderr}");
            }
        }

        var result = new ScriptResult(command, process.ExitCode, await stdout, await stderr);
        log($"scripts/cluster {command}: exit {result.ExitCode} after {clock.Elapsed.TotalSeconds:0.0} s");
        return result;
    }

    /// <summary>Runs the script and throws, with everything it printed, unless it exits with 0.</summary>
    public async Task<ScriptResult> RunCheckedAsync(TimeSpan timeout, params string[] arguments)
    {
        var result = await RunAsync(timeout, arguments);
        return result.Succeeded ? result : throw new InvalidOperationException(result.ToString());
    }
}
