namespace OrleansRaft.Grains.Hosting;

/// <summary>
/// The command line split in two: the host's own options by name, and host settings (for the gateway: <c>--key=value</c>
/// with a colon in the key, or contentRoot/environment/applicationName) passed on to the ASP.NET Core host.
/// </summary>
public sealed record ParsedArguments(
    IReadOnlyDictionary<string, string> Values,
    IReadOnlyList<string> HostArguments,
    IReadOnlyList<string> Errors,
    bool HelpRequested);
