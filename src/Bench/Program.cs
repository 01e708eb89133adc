using System.Runtime.InteropServices;
using System.Text;
using OrleansRaft.Bench.Cli;
using OrleansRaft.Bench.Cluster;
using OrleansRaft.Bench.Experiments;
using OrleansRaft.Bench.Progress;
using OrleansRaft.Bench.Reporting;

namespace OrleansRaft.Bench;

/// <summary>
/// <c>scripts/bench EXPERIMENT [options]</c>: runs one experiment, prints its markdown report on stdout (progress
/// and diagnostics on stderr) and keeps report.md and every log in a results folder. Exit codes: 0 done,
/// 1 failed, 2 usage, 130 interrupted.
/// </summary>
internal static class Program
{
    private static readonly OptionSpec[] CommonOptions =
    [
        new("results", ".data/bench/EXPERIMENT-TIME", "Folder for report.md and the logs of this run."),
    ];

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            await (args.Length == 0 ? Console.Error : Console.Out).WriteAsync(Usage());
            return args.Length == 0 ? 2 : 0;
        }

        if (ExperimentCatalog.Find(args[0]) is not { } experiment)
        {
            await Console.Error.WriteLineAsync($"bench: unknown experiment '{args[0]}'\n");
            await Console.Error.WriteAsync(Usage());
            return 2;
        }

        IReadOnlyList<OptionSpec> specs = [.. experiment.Options, .. CommonOptions];
        Arguments arguments;
        try
        {
            arguments = Arguments.Parse(args[1..], specs);
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"bench {experiment.Name}: {e.Message}\n");
            await Console.Error.WriteAsync(Usage(experiment, specs));
            return 2;
        }

        if (arguments.Help)
        {
            await Console.Out.WriteAsync(Usage(experiment, specs));
            return 0;
        }

        using var cancellation = new CancellationTokenSource();
        // The first Ctrl-C (or SIGTERM) cancels the run so silos are stopped and databases dropped; a second
        // one is left to the runtime, and ChildProcesses kills the silos on the way out.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => Interrupt(signal, cancellation));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => Interrupt(signal, cancellation));
        var results = Path.GetFullPath(arguments.String("results") ?? Path.Combine(RepositoryPaths.Results, $"{experiment.Name}-{DateTime.Now:yyyyMMdd-HHmmss}"));
        try
        {
            Directory.CreateDirectory(results);
            await Console.Error.WriteLineAsync($"bench: {experiment.Name}; results in {results}");
            var report = new Report(Console.Out, Path.Combine(results, "report.md"));
            using var log = new ProgressLog();
            return await experiment.RunAsync(new ExperimentContext(arguments, report, results, log, cancellation.Token));
        }
        catch (UsageException e)
        {
            // Options are read as the experiment starts: leave no empty results folder behind a typo.
            if (Directory.Exists(results) && !Directory.EnumerateFileSystemEntries(results).Any())
            {
                Directory.Delete(results);
            }

            await Console.Error.WriteLineAsync($"bench {experiment.Name}: {e.Message}\n");
            await Console.Error.WriteAsync(Usage(experiment, specs));
            return 2;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("bench: interrupted");
            return 130;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"bench {experiment.Name} failed: {e}");
            return 1;
        }
        finally
        {
            ChildProcesses.KillAll();
        }
    }

    private static void Interrupt(PosixSignalContext signal, CancellationTokenSource cancellation)
    {
        if (cancellation.IsCancellationRequested)
        {
            return;
        }

        signal.Cancel = true;
        Console.Error.WriteLine($"\nbench: {signal.Signal}: stopping (again to abort)");
        cancellation.Cancel();
    }

    private static string Usage()
    {
        var text = new StringBuilder();
        text.AppendLine("usage: scripts/bench EXPERIMENT [options]     (scripts/bench EXPERIMENT --help for its options)");
        text.AppendLine();
        text.AppendLine("experiments:");
        foreach (var experiment in ExperimentCatalog.All)
        {
            text.AppendLine($"  {experiment.Name,-10} {experiment.Summary}");
        }

        return text.ToString();
    }

    private static string Usage(IExperiment experiment, IReadOnlyList<OptionSpec> specs) =>
        $"usage: scripts/bench {experiment.Name} [options]\n{experiment.Summary}\n\noptions:\n{Arguments.Describe(specs)}";
}
