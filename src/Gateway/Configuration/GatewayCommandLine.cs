using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace OrleansRaft.Gateway.Configuration;

/// <summary>
/// Reads the gateway's options from, lowest first: defaults, the "Gateway" section of appsettings.json beside the
/// binary, the host's configuration ("Gateway:Key" settings), environment variables (ORLEANSRAFT_SILOS …), the
/// command line (--silos …). The later source wins.
/// </summary>
public static class GatewayCommandLine
{
    public const string Section = "Gateway";

    /// <summary>Host settings that WebApplicationFactory and the generic host pass as arguments.</summary>
    private static readonly string[] HostSettings = ["contentRoot", "environment", "applicationName"];

    public static IReadOnlyList<GatewayOptionSpec> Specs { get; } =
    [
        new("silos", "(required)", "Every silo of the group as id=http://host:port pairs joined by commas (the silos' --peers list)."),
        new("urls", GatewayOptions.DefaultUrl, "Addresses to serve HTTP/1.1 on, joined by commas or semicolons (port 0 picks a free port)."),
        new("h2-urls", "(none)", "Extra addresses to serve cleartext HTTP/2 with prior knowledge (h2c) on; Kestrel cannot offer both on one cleartext port."),
        new("group", "1", "The Raft group whose replicas the silos host."),
        new("deadline-ms", "5000", "Deadline of one client request in milliseconds, retries and leader changes included; then 503 or 504."),
        new("max-value-bytes", "1048576 (1 MiB)", "Largest value or append suffix; larger bodies get 413 (suffixes KiB, MiB allowed)."),
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
                text.AppendLine(CultureInfo.InvariantCulture, $"  {$"--{spec.Name} VALUE",-28} {spec.Help}");
                text.AppendLine(CultureInfo.InvariantCulture, $"  {string.Empty,-28} default: {spec.Default}; env {spec.EnvironmentVariable}; appsettings {Section}:{spec.ConfigKey}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"  {"--help",-28} Print this text and exit.");
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

    public static ParsedArguments Parse(IReadOnlyList<string> args)
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
            // Host settings, "Section:Key" values and the empty section nodes ("--Gateway=") the test host sends along with them.
            var isSpec = Specs.Any(s => s.Name == name);
            if (name.Contains(':', StringComparison.Ordinal)
                || HostSettings.Contains(name, StringComparer.OrdinalIgnoreCase)
                || (!isSpec && equals == arg.Length - 1))
            {
                hostArguments.Add(arg);
                if (equals < 0 && i + 1 < args.Count)
                {
                    hostArguments.Add(args[++i]);
                }

                continue;
            }

            if (!isSpec)
            {
                errors.Add($"unknown option '--{name}' (see --help)");
                continue;
            }

            if (equals >= 0)
            {
                values[name] = arg[(equals + 1)..];
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

    public static GatewayConfigurationResult Bind(ParsedArguments parsed, Func<string, string?> environment, string? appSettingsPath, IConfiguration? configuration)
    {
        if (parsed.HelpRequested)
        {
            return new GatewayConfigurationResult(null, [], true);
        }

        var errors = new List<string>(parsed.Errors);
        IConfiguration? file = null;
        if (appSettingsPath is not null && File.Exists(appSettingsPath))
        {
            try
            {
                file = new ConfigurationBuilder().AddJsonFile(appSettingsPath, optional: true).Build().GetSection(Section);
            }
            catch (InvalidDataException e)
            {
                errors.Add($"{appSettingsPath}: {e.Message}");
            }
        }

        var host = configuration?.GetSection(Section);
        var values = new Dictionary<string, string>();
        foreach (var spec in Specs)
        {
            var value = parsed.Values.GetValueOrDefault(spec.Name) ?? environment(spec.EnvironmentVariable) ?? host?[spec.ConfigKey] ?? file?[spec.ConfigKey];
            if (!string.IsNullOrWhiteSpace(value))
            {
                values[spec.Name] = value.Trim();
            }
        }

        var options = BindValues(values, errors);
        if (options is not null)
        {
            errors.AddRange(options.Validate());
        }

        return errors.Count == 0 ? new GatewayConfigurationResult(options, [], false) : new GatewayConfigurationResult(null, errors, false);
    }

    private static GatewayOptions? BindValues(Dictionary<string, string> values, List<string> errors)
    {
        var before = errors.Count;
        var defaults = new GatewayOptions { Silos = new Dictionary<long, Uri>() };
        var silos = values.TryGetValue("silos", out var siloList) ? ParseSilos(siloList, errors) : new Dictionary<long, Uri>();
        var options = new GatewayOptions
        {
            Silos = silos,
            Urls = values.TryGetValue("urls", out var urls) ? ParseAddresses("--urls", urls, errors) : defaults.Urls,
            H2Urls = values.TryGetValue("h2-urls", out var h2Urls) ? ParseAddresses("--h2-urls", h2Urls, errors) : defaults.H2Urls,
            GroupId = Read(values, "group", errors, long.Parse, defaults.GroupId),
            DeadlineMs = Read(values, "deadline-ms", errors, int.Parse, defaults.DeadlineMs),
            MaxValueBytes = Read(values, "max-value-bytes", errors, ParseBytes, defaults.MaxValueBytes),
            StatusTimeoutMs = Read(values, "status-timeout-ms", errors, int.Parse, defaults.StatusTimeoutMs),
            BodyTimeoutMs = Read(values, "body-timeout-ms", errors, int.Parse, defaults.BodyTimeoutMs),
            RetryAfterSeconds = Read(values, "retry-after-s", errors, int.Parse, defaults.RetryAfterSeconds),
        };
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

    private static Dictionary<long, Uri> ParseSilos(string text, List<string> errors)
    {
        var silos = new Dictionary<long, Uri>();
        foreach (var pair in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !long.TryParse(pair[..equals], NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                errors.Add($"--silos: '{pair}' is not id=http://host:port with a positive id");
                continue;
            }

            if (ParseAddress("--silos", pair[(equals + 1)..], errors) is not { } address)
            {
                continue;
            }

            if (!silos.TryAdd(id, address))
            {
                errors.Add($"--silos: node {id} appears twice");
            }
        }

        return silos;
    }

    private static List<Uri> ParseAddresses(string option, string text, List<string> errors)
    {
        var addresses = new List<Uri>();
        foreach (var part in text.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (ParseAddress(option, part, errors) is { } address)
            {
                addresses.Add(address);
            }
        }

        return addresses;
    }

    private static Uri? ParseAddress(string option, string text, List<string> errors)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.AbsolutePath == "/")
        {
            return uri;
        }

        errors.Add($"{option}: '{text}' is not an http://host:port address (cleartext only; put TLS in front if needed)");
        return null;
    }
}
