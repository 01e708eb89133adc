namespace OrleansRaft.Linearizability.Tests.Harness;

/// <summary>
/// Seeds for the randomized tests: 1..N, or only LINEARIZABILITY_SEED when it is set, to replay one failure.
/// </summary>
internal static class Seeds
{
    public const string Variable = "LINEARIZABILITY_SEED";

    public static TheoryData<int> Range(int count)
    {
        var data = new TheoryData<int>();
        if (int.TryParse(Environment.GetEnvironmentVariable(Variable), out var only))
        {
            data.Add(only);
            return data;
        }

        for (var seed = 1; seed <= count; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    public static string Replay(int seed, string test) =>
        $"seed {seed}; replay: {Variable}={seed} dotnet test tests/Linearizability.Tests -c Release --filter {test}";
}
