namespace OrleansRaft.Silo;

/// <summary>What reading the configuration gave: options, or the errors that prevent them, or a request for help.</summary>
public sealed record SiloConfigurationResult(SiloOptions? Options, IReadOnlyList<string> Errors, bool HelpRequested);
