using System.Text.Json;

namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>Runs a check that adds what is wrong to a list; a file it cannot read or parse is one more problem.</summary>
public static class Problems
{
    public static IReadOnlyList<string> Collect(Action<List<string>> check)
    {
        var problems = new List<string>();
        try
        {
            check(problems);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            problems.Add($"{e.GetType().Name}: {e.Message}");
        }

        return problems;
    }

    /// <summary>The problems one per line, for an assertion message.</summary>
    public static string Describe(IReadOnlyList<string> problems) =>
        problems.Count == 0 ? "none" : string.Join(Environment.NewLine, problems.Select(p => "  - " + p));
}
