namespace OrleansRaft.Scenarios.Tests.Harness;

/// <summary>
/// The seed a scenario runs with: its own default, or ORLEANSRAFT_SEED to replay a failure. Every scenario puts
/// <see cref="Describe"/> in its failure messages so the run can be repeated.
/// </summary>
public static class Seeds
{
    public const string Variable = "ORLEANSRAFT_SEED";

    public static int For(int defaultSeed) =>
        int.TryParse(Environment.GetEnvironmentVariable(Variable), out var seed) ? seed : defaultSeed;

    public static string Describe(int seed, string testName) =>
        $"seed {seed}; replay: {Variable}={seed} dotnet test tests/Scenarios.Tests -c Release --filter \"FullyQualifiedName~{testName}\"";
}
