using System.Text.Json;

namespace OrleansRaft.Infra.Tests.Docker;

/// <summary>A Dockerfile as instructions, with the parts the checks need: stages, copies, commands, entrypoint, ports.</summary>
public sealed class Dockerfile
{
    private Dockerfile(IReadOnlyList<DockerInstruction> instructions) => Instructions = instructions;

    public IReadOnlyList<DockerInstruction> Instructions { get; }

    /// <summary>The image of each stage, in order.</summary>
    public IReadOnlyList<string> BaseImages => [.. Of("FROM").Select(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0])];

    /// <summary>Sources copied from the build context (not <c>--from</c> another stage).</summary>
    public IReadOnlyList<string> CopiedFromContext => [.. Of("COPY")
        .Select(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Where(words => !words[0].StartsWith("--", StringComparison.Ordinal))
        .SelectMany(words => words[..^1])];

    public IReadOnlyList<string> Runs => [.. Of("RUN").Select(i => i.Arguments)];

    /// <summary>The exec-form ENTRYPOINT of the last stage; empty when there is none.</summary>
    public IReadOnlyList<string> Entrypoint => Of("ENTRYPOINT").LastOrDefault() is { } entrypoint
        ? JsonSerializer.Deserialize<string[]>(entrypoint.Arguments) ?? throw new FormatException("ENTRYPOINT must be a JSON array (exec form)")
        : [];

    public IReadOnlyList<int> ExposedPorts => [.. Of("EXPOSE")
        .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Select(port => int.Parse(port.Split('/')[0], CultureInfo.InvariantCulture))];

    public static Dockerfile Parse(string text)
    {
        var instructions = new List<DockerInstruction>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var start = i + 1;
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                line = line[..^1] + " " + lines[++i].Trim();
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0)
            {
                throw new FormatException($"line {start}: '{line}' is not KEYWORD arguments");
            }

            instructions.Add(new DockerInstruction(line[..space].ToUpperInvariant(), line[(space + 1)..].Trim(), start));
        }

        return new Dockerfile(instructions);
    }

    private IEnumerable<DockerInstruction> Of(string keyword) => Instructions.Where(i => i.Keyword == keyword);
}
