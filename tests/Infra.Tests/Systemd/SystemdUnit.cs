namespace OrleansRaft.Infra.Tests.Systemd;

/// <summary>A systemd unit file: settings by section, each key with every value it was given, in order.</summary>
public sealed class SystemdUnit
{
    private readonly Dictionary<string, Dictionary<string, List<string>>> sections;

    private SystemdUnit(Dictionary<string, Dictionary<string, List<string>>> sections) => this.sections = sections;

    public IReadOnlyList<string> Sections => [.. sections.Keys];

    /// <summary>The last value of <paramref name="key"/> in <paramref name="section"/> (systemd's rule for single-valued keys); null when unset.</summary>
    public string? Get(string section, string key) => All(section, key).LastOrDefault();

    public IReadOnlyList<string> All(string section, string key) =>
        sections.TryGetValue(section, out var settings) && settings.TryGetValue(key, out var values) ? values : [];

    public IReadOnlyList<string> Keys(string section) => sections.TryGetValue(section, out var settings) ? [.. settings.Keys] : [];

    public static SystemdUnit Parse(string text)
    {
        var sections = new Dictionary<string, Dictionary<string, List<string>>>();
        Dictionary<string, List<string>>? current = null;
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                current = sections.TryGetValue(line[1..^1], out var existing) ? existing : sections[line[1..^1]] = [];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (current is null || equals <= 0)
            {
                throw new FormatException($"line {number}: '{line}' is neither [Section] nor Key=Value inside a section");
            }

            var key = line[..equals].Trim();
            if (!current.TryGetValue(key, out var values))
            {
                current[key] = values = [];
            }

            values.Add(line[(equals + 1)..].Trim());
        }

        return new SystemdUnit(sections);
    }
}
