using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace OrleansRaft.Grains.Hosting;

/// <summary>What the silo's and the gateway's command lines share: help lines, appsettings.json, and parsing option values.</summary>
public static class OptionParsing
{
    /// <summary>
    /// Splits <paramref name="args"/> into values of <paramref name="specs"/> (<c>--name value</c>, <c>--name=value</c>, a flag
    /// alone), --help, and arguments that <paramref name="isHostArgument"/> (given the argument and its name) passes on to the host.
    /// </summary>
    public static ParsedArguments ParseArguments(IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs, Func<string, string, bool>? isHostArgument = null)
    {
        var errors = new List<string>();
        var values = new Dictionary<string, string>();
        var hostArguments = new List<string>();
        var help = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-?")
            {
                help = true;
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                errors.Add($"unexpected argument '{arg}'");
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg[2..] : arg[2..equals];
            if (isHostArgument is not null && isHostArgument(arg, name))
            {
                hostArguments.Add(arg);
                if (equals < 0 && i + 1 < args.Count)
                {
                    hostArguments.Add(args[++i]);
                }

                continue;
            }

            var spec = specs.FirstOrDefault(s => s.Name == name);
            if (spec is null)
            {
                errors.Add($"unknown option '--{name}' (see --help)");
                continue;
            }

            if (equals >= 0)
            {
                values[name] = arg[(equals + 1)..];
            }
            else if (spec.IsFlag)
            {
                values[name] = "true";
            }
            else if (i + 1 < args.Count)
            {
                values[name] = args[++i];
            }
            else
            {
                errors.Add($"option '--{name}' needs a value");
            }
        }

        return new ParsedArguments(values, hostArguments, errors, help);
    }

    /// <summary>Each option of <paramref name="specs"/> that <paramref name="lookup"/> (the sources, highest first) sets to more than white space, trimmed.</summary>
    public static Dictionary<string, string> Resolve(IReadOnlyList<OptionSpec> specs, Func<OptionSpec, string?> lookup)
    {
        var values = new Dictionary<string, string>();
        foreach (var spec in specs)
        {
            var value = lookup(spec);
            if (!string.IsNullOrWhiteSpace(value))
            {
                values[spec.Name] = value.Trim();
            }
        }

        return values;
    }

    /// <summary>The two --help lines of <paramref name="spec"/>: what it does, then its default and its other spellings.</summary>
    public static void AppendHelp(StringBuilder text, OptionSpec spec, string section)
    {
        var name = spec.IsFlag ? $"--{spec.Name}" : $"--{spec.Name} VALUE";
        text.AppendLine(CultureInfo.InvariantCulture, $"  {name,-28} {spec.Help}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {string.Empty,-28} default: {spec.Default}; env {spec.EnvironmentVariable}; appsettings {section}:{spec.ConfigKey}");
    }

    /// <summary>The last --help line, for --help itself.</summary>
    public static void AppendHelpOption(StringBuilder text) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"  {"--help",-28} Print this text and exit.");

    /// <summary>The --help paragraph on the OpenTelemetry variables (<see cref="TelemetryOptions"/>).</summary>
    public static void AppendTelemetryHelp(StringBuilder text)
    {
        text.AppendLine();
        text.AppendLine("telemetry (standard OpenTelemetry environment variables; off unless an endpoint is set):");
        foreach (var (name, help) in TelemetryOptions.Variables)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {name}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  {string.Empty,-28} {help}");
        }
    }

    /// <summary>The <paramref name="section"/> of the JSON file at <paramref name="appSettingsPath"/>; null when there is no such file or it is not JSON (then an error).</summary>
    public static IConfiguration? AppSettingsSection(string? appSettingsPath, string section, List<string> errors)
    {
        if (appSettingsPath is null || !File.Exists(appSettingsPath))
        {
            return null;
        }

        try
        {
            return new ConfigurationBuilder().AddJsonFile(appSettingsPath, optional: true).Build().GetSection(section);
        }
        catch (InvalidDataException e)
        {
            errors.Add($"{appSettingsPath}: {e.Message}");
            return null;
        }
    }

    /// <summary>The value of option <paramref name="name"/> parsed, <paramref name="fallback"/> when it is absent or (then with an error) malformed.</summary>
    public static T Read<T>(Dictionary<string, string> values, string name, List<string> errors, Func<string, IFormatProvider, T> parse, T fallback)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        try
        {
            return parse(text, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            errors.Add($"--{name} '{text}': {e.Message}");
            return fallback;
        }
    }

    /// <summary>A byte count: digits with an optional K/KiB, M/MiB or G/GiB suffix (powers of 1024).</summary>
    public static long ParseBytes(string text, IFormatProvider provider)
    {
        var digits = text[..(text.Length - text.AsSpan().TrimStart("0123456789").Length)];
        var multiplier = text[digits.Length..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1L,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            var suffix => throw new FormatException($"unknown size suffix '{suffix}'"),
        };
        var count = long.Parse(digits, NumberStyles.None, provider);
        return checked(count * multiplier);
    }

    /// <summary>Nodes as id=http://host:port pairs joined by commas; <paramref name="cleartextNote"/> ends the message about a bad address.</summary>
    public static Dictionary<long, Uri> ParseNodes(string option, string text, string cleartextNote, List<string> errors)
    {
        var nodes = new Dictionary<long, Uri>();
        foreach (var pair in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !long.TryParse(pair[..equals], NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                errors.Add($"{option}: '{pair}' is not id=http://host:port with a positive id");
                continue;
            }

            if (ParseAddress(option, pair[(equals + 1)..], cleartextNote, errors) is not { } address)
            {
                continue;
            }

            if (!nodes.TryAdd(id, address))
            {
                errors.Add($"{option}: node {id} appears twice");
            }
        }

        return nodes;
    }

    /// <summary>An http://host:port address; <paramref name="cleartextNote"/> ends the error message otherwise.</summary>
    public static Uri? ParseAddress(string option, string text, string cleartextNote, List<string> errors)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.AbsolutePath == "/")
        {
            return uri;
        }

        errors.Add($"{option}: '{text}' is not an http://host:port address ({cleartextNote})");
        return null;
    }
}
