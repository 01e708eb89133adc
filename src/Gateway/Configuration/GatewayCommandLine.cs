using System.Text;
using Microsoft.Extensions.Configuration;
using OrleansRaft.Grains.Hosting;

namespace OrleansRaft.Gateway.Configuration;

/// <summary>
/// Reads the gateway's options from, lowest first: defaults, the "Gateway" section of appsettings.json beside the
/// binary, the host's configuration ("Gateway:Key" settings), environment variables (ORLEANSRAFT_SILOS …), the
/// command line (--silos …). The later source wins.
/// </summary>
public static class GatewayCommandLine
{
    public const string Section = "Gateway";

    /// <summary>service.name unless OTEL_SERVICE_NAME says otherwise.</summary>
    public const string DefaultServiceName = "orleansraft-gateway";

    /// <summary>The end of the message about a bad address.</summary>
    private const string CleartextNote = "cleartext only; put TLS in front if needed";

    /// <summary>Host settings that WebApplicationFactory and the generic host pass as arguments.</summary>
    private static readonly string[] HostSettings = ["contentRoot", "environment", "applicationName"];

    public static IReadOnlyList<OptionSpec> Specs { get; } =
    [
        new("silos", "(required)", "Every silo of the group as id=http://host:port pairs joined by commas (the silos' --peers list)."),
        new("urls", GatewayOptions.DefaultUrl, "Addresses to serve HTTP/1.1 on, joined by commas or semicolons (port 0 picks a free port)."),
        new("h2-urls", "(none)", "Extra addresses to serve cleartext HTTP/2 with prior knowledge (h2c) on; Kestrel cannot offer both on one cleartext port."),
        new("group", "1", "The Raft group whose replicas the silos host."),
        new("deadline-ms", "5000", "Deadline of one client request in milliseconds, retries and leader changes included; then 503 or 504."),
        new("max-value-bytes", "1048576 (1 MiB)", "Largest value or append suffix; larger bodies get 413 (suffixes KiB, MiB allowed)."),
        new("membership-deadline-ms", "60000", "Deadline of a membership change or leadership transfer (POST/DELETE /v1/cluster/members, POST /v1/cluster/leader); a new voter catches up within it."),
        new("status-timeout-ms", "1000", "Timeout of one silo status call (leader discovery, /v1/cluster, /readyz)."),
        new("body-timeout-ms", "5000", "A request body arriving slower than 240 bytes/s after this grace period gets 408 and its connection is closed (> 1000)."),
        new("retry-after-s", "1", "Retry-After seconds sent with a 503."),
    ];

    public static string HelpText
    {
        get
        {
            var text = new StringBuilder();
            text.AppendLine("OrleansRaft gateway: the REST API (HTTP/1.1 and HTTP/2) of the key/value store; forwards each request to the group's leader.");
            text.AppendLine();
            text.AppendLine("usage: dotnet OrleansRaft.Gateway.dll --silos 1=http://host:port,... [--urls http://127.0.0.1:8080] [options]");
            text.AppendLine();
            text.AppendLine("options (command line > environment > appsettings.json \"Gateway\" section > default):");
            foreach (var spec in Specs)
            {
                OptionParsing.AppendHelp(text, spec, Section);
            }

            OptionParsing.AppendHelpOption(text);
            OptionParsing.AppendTelemetryHelp(text);
            return text.ToString();
        }
    }

    /// <summary>Reads every source at once; <paramref name="configuration"/> stands for the host's configuration.</summary>
    public static GatewayConfigurationResult Load(
        IReadOnlyList<string> args,
        Func<string, string?> environment,
        string? appSettingsPath,
        IConfiguration? configuration = null) =>
        Bind(Parse(args), environment, appSettingsPath, configuration);

    public static ParsedArguments Parse(IReadOnlyList<string> args) =>
        OptionParsing.ParseArguments(args, Specs, IsHostArgument);

    public static GatewayConfigurationResult Bind(ParsedArguments parsed, Func<string, string?> environment, string? appSettingsPath, IConfiguration? configuration)
    {
        if (parsed.HelpRequested)
        {
            return new GatewayConfigurationResult(null, [], true);
        }

        var errors = new List<string>(parsed.Errors);
        var file = OptionParsing.AppSettingsSection(appSettingsPath, Section, errors);
        var host = configuration?.GetSection(Section);
        var values = OptionParsing.Resolve(Specs, spec => parsed.Values.GetValueOrDefault(spec.Name) ?? environment(spec.EnvironmentVariable) ?? host?[spec.ConfigKey] ?? file?[spec.ConfigKey]);

        var options = BindValues(values, errors);
        if (options is not null)
        {
            options = options with { Telemetry = TelemetryOptions.FromEnvironment(environment, DefaultServiceName, errors) };
            errors.AddRange(options.Validate());
        }

        return errors.Count == 0 ? new GatewayConfigurationResult(options, [], false) : new GatewayConfigurationResult(null, errors, false);
    }

    /// <summary>Host settings, "Section:Key" values and the empty section nodes ("--Gateway=") the test host sends along with them.</summary>
    private static bool IsHostArgument(string arg, string name) =>
        name.Contains(':', StringComparison.Ordinal)
        || HostSettings.Contains(name, StringComparer.OrdinalIgnoreCase)
        || (!Specs.Any(s => s.Name == name) && arg.IndexOf('=', StringComparison.Ordinal) == arg.Length - 1);

    private static GatewayOptions? BindValues(Dictionary<string, string> values, List<string> errors)
    {
        var before = errors.Count;
        var defaults = new GatewayOptions { Silos = new Dictionary<long, Uri>() };
        var silos = values.TryGetValue("silos", out var siloList) ? OptionParsing.ParseNodes("--silos", siloList, CleartextNote, errors) : new Dictionary<long, Uri>();
        var options = new GatewayOptions
        {
            Silos = silos,
            Urls = values.TryGetValue("urls", out var urls) ? ParseAddresses("--urls", urls, errors) : defaults.Urls,
            H2Urls = values.TryGetValue("h2-urls", out var h2Urls) ? ParseAddresses("--h2-urls", h2Urls, errors) : defaults.H2Urls,
            GroupId = OptionParsing.Read(values, "group", errors, long.Parse, defaults.GroupId),
            DeadlineMs = OptionParsing.Read(values, "deadline-ms", errors, int.Parse, defaults.DeadlineMs),
            MaxValueBytes = OptionParsing.Read(values, "max-value-bytes", errors, OptionParsing.ParseBytes, defaults.MaxValueBytes),
            MembershipDeadlineMs = OptionParsing.Read(values, "membership-deadline-ms", errors, int.Parse, defaults.MembershipDeadlineMs),
            StatusTimeoutMs = OptionParsing.Read(values, "status-timeout-ms", errors, int.Parse, defaults.StatusTimeoutMs),
            BodyTimeoutMs = OptionParsing.Read(values, "body-timeout-ms", errors, int.Parse, defaults.BodyTimeoutMs),
            RetryAfterSeconds = OptionParsing.Read(values, "retry-after-s", errors, int.Parse, defaults.RetryAfterSeconds),
        };
        return errors.Count == before ? options : null;
    }

    private static List<Uri> ParseAddresses(string option, string text, List<string> errors)
    {
        var addresses = new List<Uri>();
        foreach (var part in text.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (OptionParsing.ParseAddress(option, part, CleartextNote, errors) is { } address)
            {
                addresses.Add(address);
            }
        }

        return addresses;
    }

}
