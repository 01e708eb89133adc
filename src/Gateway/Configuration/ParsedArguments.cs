namespace OrleansRaft.Gateway.Configuration;

/// <summary>
/// The command line split in two: the gateway's own options by name, and host settings (<c>--key=value</c>
/// with a colon in the key, or contentRoot/environment/applicationName) passed on to the ASP.NET Core host.
/// </summary>
public sealed record ParsedArguments(
    IReadOnlyDictionary<string, string> Values,
    IReadOnlyList<string> HostArguments,
    IReadOnlyList<string> Errors,
    bool HelpRequested);
