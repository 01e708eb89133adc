namespace OrleansRaft.Infra.Tests.Systemd;

/// <summary>
/// A systemd EnvironmentFile as this project writes them: <c>KEY=value</c> lines, comments, blank lines. Quotes are
/// refused rather than half-understood (systemd strips them, a shell would too, a reader of this file might not).
/// </summary>
public static class EnvironmentFile
{
    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || line.Contains('"', StringComparison.Ordinal) || line.Contains('\'', StringComparison.Ordinal))
            {
                throw new FormatException($"line {number}: '{line}' is not KEY=value without quotes");
            }

            if (!values.TryAdd(line[..equals], line[(equals + 1)..]))
            {
                throw new FormatException($"line {number}: {line[..equals]} is set twice");
            }
        }

        return values;
    }
}
