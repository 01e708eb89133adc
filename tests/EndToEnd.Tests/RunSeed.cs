using System.Globalization;

namespace OrleansRaft.EndToEnd.Tests;

/// <summary>
/// The seed of a randomized end-to-end run: ORLEANSRAFT_SEED to replay one, else a fresh one. The test prints it
/// with <see cref="Replay"/>, the command that runs it again.
/// </summary>
public static class RunSeed
{
    public const string Variable = "ORLEANSRAFT_SEED";

    public static int FromEnvironment()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(Variable);
        return string.IsNullOrEmpty(fromEnvironment)
            ? Random.Shared.Next(1, int.MaxValue)
            : int.Parse(fromEnvironment, NumberStyles.Integer, CultureInfo.InvariantCulture);
    }

    public static string Replay(int seed, string testClass) =>
        $"replay: {Variable}={seed.ToString(CultureInfo.InvariantCulture)} dotnet test tests/EndToEnd.Tests -c Release --filter FullyQualifiedName~{testClass}";
}
