using System.Globalization;
using System.Text;

namespace OrleansRaft.Bench.Cli;

/// <summary>An experiment's options, parsed against its <see cref="OptionSpec"/>s; typed getters throw <see cref="UsageException"/>.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, OptionSpec> specs;
    private readonly Dictionary<string, List<string>> values = [];

    private Arguments(IReadOnlyList<OptionSpec> specs)
    {
        this.specs = specs.ToDictionary(s => s.Name);
    }

    public bool Help { get; private set; }

    public static Arguments Parse(IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs)
    {
        var parsed = new Arguments(specs);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                parsed.Help = true;
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new UsageException($"unexpected argument '{arg}'");
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg[2..] : arg[2..equals];
            if (!parsed.specs.TryGetValue(name, out var spec))
            {
                throw new UsageException($"unknown option '--{name}'");
            }

            string value;
            if (equals >= 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (spec.IsFlag)
            {
                value = "true";
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                throw new UsageException($"option '--{name}' needs a value");
            }

            if (!parsed.values.TryGetValue(name, out var list))
            {
                parsed.values[name] = list = [];
            }
            else if (!spec.Repeatable)
            {
                throw new UsageException($"option '--{name}' given twice");
            }

            list.Add(value);
        }

        return parsed;
    }

    /// <summary>The options block of a usage text.</summary>
    public static string Describe(IReadOnlyList<OptionSpec> specs)
    {
        var text = new StringBuilder();
        foreach (var spec in specs)
        {
            var name = spec.IsFlag ? $"--{spec.Name}" : $"--{spec.Name} VALUE";
            var suffix = spec.IsFlag ? "" : $" (default: {spec.Default})";
            text.AppendLine(CultureInfo.InvariantCulture, $"  {name,-26} {spec.Help}{suffix}");
        }

        return text.ToString();
    }

    /// <summary>Whether the experiment takes <c>--name</c> at all (shared option sets leave some out).</summary>
    public bool Declares(string name) => specs.ContainsKey(name);

    public bool Flag(string name) => Single(name) is { } text && ParseBoolean(name, text);

    public string? String(string name) => Single(name);

    public IReadOnlyList<string> All(string name)
    {
        Spec(name);
        return values.TryGetValue(name, out var list) ? list : [];
    }

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue) =>
        Single(name) is { } text ? Check(name, ParseInt(name, text), min, max) : fallback;

    public double Double(string name, double fallback, double min = double.MinValue, double max = double.MaxValue)
    {
        if (Single(name) is not { } text)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"--{name} '{text}': expected a number from {min} to {max}");
        }

        return value;
    }

    /// <summary>A comma-separated list of integers, e.g. <c>1,10,100</c>.</summary>
    public IReadOnlyList<int> Ints(string name, IReadOnlyList<int> fallback, int min = int.MinValue) =>
        Single(name) is { } text
            ? [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(part => Check(name, ParseInt(name, part), min, int.MaxValue))]
            : fallback;

    private string? Single(string name)
    {
        Spec(name);
        return values.TryGetValue(name, out var list) ? list[^1] : null;
    }

    private OptionSpec Spec(string name) =>
        specs.TryGetValue(name, out var spec) ? spec : throw new InvalidOperationException($"option --{name} is read but not declared");

    private static int ParseInt(string name, string text) =>
        int.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"--{name} '{text}': expected an integer");

    private static int Check(string name, int value, int min, int max) =>
        value >= min && value <= max ? value : throw new UsageException($"--{name} {value}: expected {min} to {max}");

    private static bool ParseBoolean(string name, string text) => text.ToUpperInvariant() switch
    {
        "TRUE" or "1" or "YES" => true,
        "FALSE" or "0" or "NO" => false,
        _ => throw new UsageException($"--{name} '{text}': expected true or false"),
    };
}
