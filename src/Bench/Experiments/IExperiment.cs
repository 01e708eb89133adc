using OrleansRaft.Bench.Cli;

namespace OrleansRaft.Bench.Experiments;

/// <summary>One <c>scripts/bench NAME</c>: its options and how it runs.</summary>
public interface IExperiment
{
    string Name { get; }

    /// <summary>One line for the list of experiments.</summary>
    string Summary { get; }

    IReadOnlyList<OptionSpec> Options { get; }

    /// <summary>Runs and reports; returns the process exit code (0 when the experiment itself succeeded).</summary>
    Task<int> RunAsync(ExperimentContext context);
}
