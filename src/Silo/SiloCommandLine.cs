using System.Globalization;
using System.Text;
using OrleansRaft.Grains.Hosting;

namespace OrleansRaft.Silo;

/// <summary>
/// Reads the silo's options from, lowest first: defaults, the "Silo" section of appsettings.json, environment
/// variables (ORLEANSRAFT_NODE_ID …), the command line (--node-id …). The later source wins.
/// </summary>
public static class SiloCommandLine
{
    private const string Section = "Silo";

    /// <summary>service.name unless OTEL_SERVICE_NAME says otherwise.</summary>
    public const string DefaultServiceName = "orleansraft-silo";

    /// <summary>The end of the message about a bad address.</summary>
    private const string CleartextNote = "peers speak cleartext HTTP/2; put TLS in front if needed";

    public static IReadOnlyList<OptionSpec> Specs { get; } =
    [
        new("node-id", "(required)", "This silo's node id, a positive integer."),
        new("peers", "(required)", "Every voter of the group as id=http://host:port pairs joined by commas, this silo included."),
        new("listen", "this silo's address in --peers", "Address to listen on, e.g. http://0.0.0.0:7001 (peer traffic, replica API and /healthz; cleartext HTTP/2 only, so curl needs --http2-prior-knowledge)."),
        new("join", "false", "Join a running group as a new member: start with no configuration (never campaign) and learn it from the leader once added (POST /v1/cluster/members); --peers still gives the others' addresses.", IsFlag: true),
        new("group", "1", "The Raft group this silo hosts a replica of."),
        new("pg", "(none)", "Npgsql connection string of the PostgreSQL log store; required unless --in-memory."),
        new("in-memory", "false", "Keep the log in process memory instead of PostgreSQL. Development and tests only: a restart loses it.", IsFlag: true),
        new("tick-ms", "10", "Length of one Raft tick in milliseconds."),
        new("election-timeout", "150-300", "Election timeout range in milliseconds, min-max; each election waits a random time in [min, max)."),
        new("heartbeat-ms", "30", "Leader heartbeat interval in milliseconds."),
        new("max-batch-bytes", "1048576 (1 MiB)", "Cap on the entry bytes in one AppendEntries message (suffixes KiB, MiB allowed)."),
        new("inflight", "64", "Cap on AppendEntries messages in flight to one follower."),
        new("max-message-bytes", "67108864 (64 MiB)", "Largest peer request body and frame this silo reads or sends; larger ones get 413."),
        new("snapshot-entries", "10000", "Take a snapshot and compact the log once this many entries were applied since the last one; 0 never compacts."),
        new("snapshot-trailing", "1000", "Entries kept behind each snapshot so a follower a little behind catches up from the log."),
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
                OptionParsing.AppendHelp(text, spec, Section);
            }

            OptionParsing.AppendHelpOption(text);
            OptionParsing.AppendTelemetryHelp(text);
            return text.ToString();
        }
    }

    /// <param name="environment">Looks up an environment variable; <see cref="Environment.GetEnvironmentVariable(string)"/> in the process.</param>
    /// <param name="appSettingsPath">A JSON file whose "Silo" section holds options; ignored when absent.</param>
    public static SiloConfigurationResult Load(IReadOnlyList<string> args, Func<string, string?> environment, string? appSettingsPath)
    {
        var commandLine = OptionParsing.ParseArguments(args, Specs);
        if (commandLine.HelpRequested)
        {
            return new SiloConfigurationResult(null, [], true);
        }

        var errors = new List<string>(commandLine.Errors);
        var file = OptionParsing.AppSettingsSection(appSettingsPath, Section, errors);
        var values = OptionParsing.Resolve(Specs, spec => commandLine.Values.GetValueOrDefault(spec.Name) ?? environment(spec.EnvironmentVariable) ?? file?[spec.ConfigKey]);

        var options = Bind(values, errors);
        if (options is not null)
        {
            options = options with { Telemetry = TelemetryOptions.FromEnvironment(environment, DefaultServiceName, errors) };
            errors.AddRange(options.Validate());
        }

        return errors.Count == 0 ? new SiloConfigurationResult(options, [], false) : new SiloConfigurationResult(null, errors, false);
    }

    private static SiloOptions? Bind(Dictionary<string, string> values, List<string> errors)
    {
        var before = errors.Count;
        var defaults = new SiloOptions { NodeId = 0, Peers = new Dictionary<long, Uri>() };
        var nodeId = OptionParsing.Read(values, "node-id", errors, long.Parse, 0);
        var peers = values.TryGetValue("peers", out var peerList) ? OptionParsing.ParseNodes("--peers", peerList, CleartextNote, errors) : new Dictionary<long, Uri>();
        Uri? listen = null;
        if (values.TryGetValue("listen", out var listenText))
        {
            listen = OptionParsing.ParseAddress("--listen", listenText, CleartextNote, errors);
        }

        var (electionMin, electionMax) = values.TryGetValue("election-timeout", out var range)
            ? ParseRange(range, errors)
            : (defaults.ElectionTimeoutMinMs, defaults.ElectionTimeoutMaxMs);
        var options = new SiloOptions
        {
            NodeId = nodeId,
            Peers = peers,
            Listen = listen,
            GroupId = OptionParsing.Read(values, "group", errors, long.Parse, defaults.GroupId),
            PostgresConnectionString = values.GetValueOrDefault("pg"),
            InMemory = OptionParsing.Read(values, "in-memory", errors, ParseBoolean, false),
            Join = OptionParsing.Read(values, "join", errors, ParseBoolean, false),
            TickMs = OptionParsing.Read(values, "tick-ms", errors, int.Parse, defaults.TickMs),
            ElectionTimeoutMinMs = electionMin,
            ElectionTimeoutMaxMs = electionMax,
            HeartbeatMs = OptionParsing.Read(values, "heartbeat-ms", errors, int.Parse, defaults.HeartbeatMs),
            MaxBatchBytes = OptionParsing.Read(values, "max-batch-bytes", errors, OptionParsing.ParseBytes, defaults.MaxBatchBytes),
            Inflight = OptionParsing.Read(values, "inflight", errors, int.Parse, defaults.Inflight),
            MaxMessageBytes = (int)Math.Min(int.MaxValue, OptionParsing.Read(values, "max-message-bytes", errors, OptionParsing.ParseBytes, defaults.MaxMessageBytes)),
            SnapshotEntries = OptionParsing.Read(values, "snapshot-entries", errors, long.Parse, defaults.SnapshotEntries),
            SnapshotTrailingEntries = OptionParsing.Read(values, "snapshot-trailing", errors, long.Parse, defaults.SnapshotTrailingEntries),
            Seed = values.ContainsKey("seed") ? OptionParsing.Read(values, "seed", errors, int.Parse, 0) : null,
        };
        if (!values.ContainsKey("node-id"))
        {
            errors.Add("--node-id is required");
        }

        return errors.Count == before ? options : null;
    }

    private static bool ParseBoolean(string text, IFormatProvider provider) => text.ToUpperInvariant() switch
    {
        "TRUE" or "1" or "YES" => true,
        "FALSE" or "0" or "NO" => false,
        _ => throw new FormatException("expected true or false"),
    };

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

}
