using OrleansRaft.Bench.Experiments;
using OrleansRaft.Bench.Experiments.Election;

namespace OrleansRaft.Bench;

/// <summary>Every experiment <c>scripts/bench</c> knows, in the order the help lists them.</summary>
internal static class ExperimentCatalog
{
    public static IReadOnlyList<IExperiment> All { get; } =
    [
        new ElectionExperiment(),
        new ScaleExperiment(),
        new MixExperiment(),
        new LoadExperiment(),
        new SiloExperiment(),
        new CatchUpExperiment(),
        new StoreExperiment(),
        new SelfTestExperiment(),
    ];

    public static IExperiment? Find(string name) => All.FirstOrDefault(e => e.Name == name);
}
