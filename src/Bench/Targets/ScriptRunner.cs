using System.Diagnostics;
using System.Text;

namespace OrleansRaft.Bench.Targets;

/// <summary>Runs one of the project's scripts with extra environment, appending its output to a log file.</summary>
internal static class ScriptRunner
{
    /// <returns>The exit code and everything the script printed (stdout and stderr, interleaved as it arrived).</returns>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string script, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string logPath, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // Not cancelled midway: a half-run `up` or `down` would leave processes nobody tracks.
        await process.WaitForExitAsync(CancellationToken.None);
        string text;
        lock (output)
        {
            text = output.ToString();
        }

        await File.AppendAllTextAsync(logPath, $"$ {Path.GetFileName(script)} {string.Join(' ', arguments)}  (exit {process.ExitCode})\n{text}", CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        return (process.ExitCode, text);
    }
}
