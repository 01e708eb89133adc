namespace OrleansRaft.Gateway.Configuration;

/// <summary>What reading the configuration gave: options, or the errors that prevent them, or a request for help.</summary>
public sealed record GatewayConfigurationResult(GatewayOptions? Options, IReadOnlyList<string> Errors, bool HelpRequested);
