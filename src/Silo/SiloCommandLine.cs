using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace OrleansRaft.Silo;

/// <summary>
/// Reads the silo's options from, lowest first: defaults, the "Silo" section of appsettings.json, environment
/// variables (ORLEANSRAFT_NODE_ID …), the command line (--node-id …). The later source wins.
/// </summary>
public static class SiloCommandLine
{
    public static IReadOnlyList<SiloOptionSpec> Specs { get; } =
    [
        new("node-id", "(required)", "This silo's node id, a positive integer."),
        new("peers", "(required)", "Every voter of the group as id=http://host:port pairs joined by commas, this silo included."),
        new("listen", "this silo's address in --peers", "Address to listen on, e.g. http://0.0.0.0:7001 (peer traffic, replica API and /healthz; cleartext HTTP/2 only, so curl needs --http2-prior-knowledge)."),
        new("group", "1", "The Raft group this silo hosts a replica of."),
        new("pg", "(none)", "Npgsql connection string of the PostgreSQL log store; required unless --in-memory."),
        new("in-memory", "false", "Keep the log in process memory instead of PostgreSQL. Development and tests only: a restart loses it.", IsFlag: true),
        new("tick-ms", "10", "Length of one Raft tick in milliseconds."),
        new("election-timeout", "150-300", "Election timeout range in milliseconds, min-max; each election waits a random time in [min, max)."),
        new("heartbeat-ms", "30", "Leader heartbeat interval in milliseconds."),
        new("max-batch-bytes", "1048576 (1 MiB)", "Cap on the entry bytes in one AppendEntries message (suffixes KiB, MiB allowed)."),
        new("inflight", "64", "Cap on AppendEntries messages in flight to one follower."),
        new("max-message-bytes", "67108864 (64 MiB)", "Largest peer request body and frame this silo reads or sends; larger ones get 413."),
        new("seed", "random", "Seed of the election-timeout randomness (fix it to reproduce a run)."),
    ];

    public static string HelpText
    {
        get
        {
            var text = new StringBuilder();
            text.AppendLine("OrleansRaft silo: hosts one Raft replica of a key/value group and serves its peers over HTTP/2.");
            text.AppendLine();
            text.AppendLine("usage: dotnet run --project src/Silo -- --node-id N --peers 1=http://host:port,... (--pg CONN | --in-memory) [options]");
            text.AppendLine();
            text.AppendLine("options (command line > environment > appsettings.json \"Silo\" section > default):");
            foreach (var spec in Specs)
            {
                var name = spec.IsFlag ? $"--{spec.Name}" : $"--{spec.Name} VALUE";
                text.AppendLine(CultureInfo.InvariantCulture, $"  {name,-28} {spec.Help}");
                text.AppendLine(CultureInfo.InvariantCulture, $"  {string.Empty,-28} default: {spec.Default}; env {spec.EnvironmentVariable}; appsettings Silo:{spec.ConfigKey}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"  {"--help",-28} Print this text and exit.");
            return text.ToString();
        }
    }

    /// <param name="environment">Looks up an environment variable; <see cref="Environment.GetEnvironmentVariable(string)"/> in the process.</param>
    /// <param name="appSettingsPath">A JSON file whose "Silo" section holds options; ignored when absent.</param>
    public static SiloConfigurationResult Load(IReadOnlyList<string> args, Func<string, string?> environment, string? appSettingsPath)
    {
        var errors = new List<string>();
        var commandLine = ParseArguments(args, errors, out var help);
        if (help)
        {
            return new SiloConfigurationResult(null, [], true);
        }

        IConfiguration? file = null;
        if (appSettingsPath is not null && File.Exists(appSettingsPath))
        {
            try
            {
                file = new ConfigurationBuilder().AddJsonFile(appSettingsPath, optional: true).Build().GetSection("Silo");
            }
            catch (InvalidDataException e)
            {
                errors.Add($"{appSettingsPath}: {e.Message}");
            }
        }

        var values = new Dictionary<string, string>();
        foreach (var spec in Specs)
        {
            var value = commandLine.GetValueOrDefault(spec.Name) ?? environment(spec.EnvironmentVariable) ?? file?[spec.ConfigKey];
            if (!string.IsNullOrWhiteSpace(value))
            {
                values[spec.Name] = value.Trim();
            }
        }

        var options = Bind(values, errors);
        if (options is not null)
        {
            errors.AddRange(options.Validate());
        }

        return errors.Count == 0 ? new SiloConfigurationResult(options, [], false) : new SiloConfigurationResult(null, errors, false);
    }

    private static Dictionary<string, string> ParseArguments(IReadOnlyList<string> args, List<string> errors, out bool help)
    {
        help = false;
        var values = new Dictionary<string, string>();
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
            var spec = Specs.FirstOrDefault(s => s.Name == name);
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

        return values;
    }

    private static SiloOptions? Bind(Dictionary<string, string> values, List<string> errors)
    {
        var before = errors.Count;
        var defaults = new SiloOptions { NodeId = 0, Peers = new Dictionary<long, Uri>() };
        var nodeId = Read(values, "node-id", errors, long.Parse, 0);
        var peers = values.TryGetValue("peers", out var peerList) ? ParsePeers(peerList, errors) : new Dictionary<long, Uri>();
        Uri? listen = null;
        if (values.TryGetValue("listen", out var listenText))
        {
            listen = ParseAddress("--listen", listenText, errors);
        }

        var (electionMin, electionMax) = values.TryGetValue("election-timeout", out var range)
            ? ParseRange(range, errors)
            : (defaults.ElectionTimeoutMinMs, defaults.ElectionTimeoutMaxMs);
        var options = new SiloOptions
        {
            NodeId = nodeId,
            Peers = peers,
            Listen = listen,
            GroupId = Read(values, "group", errors, long.Parse, defaults.GroupId),
            PostgresConnectionString = values.GetValueOrDefault("pg"),
            InMemory = Read(values, "in-memory", errors, ParseBoolean, false),
            TickMs = Read(values, "tick-ms", errors, int.Parse, defaults.TickMs),
            ElectionTimeoutMinMs = electionMin,
            ElectionTimeoutMaxMs = electionMax,
            HeartbeatMs = Read(values, "heartbeat-ms", errors, int.Parse, defaults.HeartbeatMs),
            MaxBatchBytes = Read(values, "max-batch-bytes", errors, ParseBytes, defaults.MaxBatchBytes),
            Inflight = Read(values, "inflight", errors, int.Parse, defaults.Inflight),
            MaxMessageBytes = (int)Math.Min(int.MaxValue, Read(values, "max-message-bytes", errors, ParseBytes, defaults.MaxMessageBytes)),
            Seed = values.ContainsKey("seed") ? Read(values, "seed", errors, int.Parse, 0) : null,
        };
        if (!values.ContainsKey("node-id"))
        {
            errors.Add("--node-id is required");
        }

        return errors.Count == before ? options : null;
    }

    private static T Read<T>(Dictionary<string, string> values, string name, List<string> errors, Func<string, IFormatProvider, T> parse, T fallback)
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

    private static bool ParseBoolean(string text, IFormatProvider provider) => text.ToUpperInvariant() switch
    {
        "TRUE" or "1" or "YES" => true,
        "FALSE" or "0" or "NO" => false,
        _ => throw new FormatException("expected true or false"),
    };

    /// <summary>A byte count: digits with an optional K/KiB, M/MiB or G/GiB suffix (powers of 1024).</summary>
    private static long ParseBytes(string text, IFormatProvider provider)
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

    private static (int Min, int Max) ParseRange(string text, List<string> errors)
    {
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var max)
            && min > 0
            && max > min)
        {
            return (min, max);
        }

        errors.Add($"--election-timeout '{text}': expected min-max in milliseconds with 0 < min < max, e.g. 150-300");
        return (0, 0);
    }

    private static Dictionary<long, Uri> ParsePeers(string text, List<string> errors)
    {
        var peers = new Dictionary<long, Uri>();
        foreach (var pair in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !long.TryParse(pair[..equals], NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                errors.Add($"--peers: '{pair}' is not id=http://host:port with a positive id");
                continue;
            }

            if (ParseAddress("--peers", pair[(equals + 1)..], errors) is not { } address)
            {
                continue;
            }

            if (!peers.TryAdd(id, address))
            {
                errors.Add($"--peers: node {id} appears twice");
            }
        }

        return peers;
    }

    private static Uri? ParseAddress(string option, string text, List<string> errors)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.AbsolutePath == "/")
        {
            return uri;
        }

        errors.Add($"{option}: '{text}' is not an http://host:port address (peers speak cleartext HTTP/2; put TLS in front if needed)");
        return null;
    }
}
