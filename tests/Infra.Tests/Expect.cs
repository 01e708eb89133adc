using OrleansRaft.Infra.Tests.Checks;

namespace OrleansRaft.Infra.Tests;

internal static class Expect
{
    public static void None(IReadOnlyList<string> problems) =>
        Assert.True(problems.Count == 0, $"{problems.Count} problem(s):{Environment.NewLine}{Problems.Describe(problems)}");
}
