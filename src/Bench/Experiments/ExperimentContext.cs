using OrleansRaft.Bench.Cli;
using OrleansRaft.Bench.Reporting;

namespace OrleansRaft.Bench.Experiments;

/// <summary>What an experiment runs with: its options, where results and logs go, and the run's cancellation (Ctrl-C).</summary>
public sealed record ExperimentContext(
    Arguments Arguments,
    Report Report,
    string ResultsDirectory,
    TextWriter Log,
    CancellationToken Cancellation);
