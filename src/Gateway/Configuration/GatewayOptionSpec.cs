namespace OrleansRaft.Gateway.Configuration;

/// <summary>One option as the command line, the environment and appsettings.json spell it.</summary>
/// <param name="Name">The command-line name without dashes, e.g. <c>deadline-ms</c>.</param>
/// <param name="Default">What applies when no source sets it, as shown by --help.</param>
public sealed record GatewayOptionSpec(string Name, string Default, string Help)
{
    /// <summary>The key under the "Gateway" section of appsettings.json, e.g. <c>DeadlineMs</c>.</summary>
    public string ConfigKey => string.Concat(Name.Split('-').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>The environment variable, e.g. <c>ORLEANSRAFT_DEADLINE_MS</c>.</summary>
    public string EnvironmentVariable => "ORLEANSRAFT_" + Name.Replace('-', '_').ToUpperInvariant();
}
