using OrleansRaft.Gateway.Configuration;
using OrleansRaft.Grains.Hosting;
using OrleansRaft.Silo;

namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>The project's two programs as the checks know them: their dll and their real option specs and loaders.</summary>
public static class Programs
{
    public static string SiloDll { get; } = typeof(SiloCommandLine).Assembly.GetName().Name + ".dll";

    public static string GatewayDll { get; } = typeof(GatewayCommandLine).Assembly.GetName().Name + ".dll";

    /// <summary>The silo's options from a command line and an environment, or the errors the silo would print.</summary>
    public static (SiloOptions? Options, IReadOnlyList<string> Errors) LoadSilo(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var errors = Unknown(args, environment, SiloCommandLine.Specs);
        var result = SiloCommandLine.Load(args, name => environment.GetValueOrDefault(name), appSettingsPath: null);
        errors.AddRange(result.Errors);
        if (result.HelpRequested)
        {
            errors.Add("--help prints help and exits");
        }

        return (errors.Count == 0 ? result.Options : null, [.. errors.Distinct()]);
    }

    /// <summary>The gateway's options from a command line and an environment, or the errors the gateway would print.</summary>
    public static (GatewayOptions? Options, IReadOnlyList<string> Errors) LoadGateway(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var errors = Unknown(args, environment, GatewayCommandLine.Specs);
        var result = GatewayCommandLine.Load(args, name => environment.GetValueOrDefault(name), appSettingsPath: null);
        errors.AddRange(result.Errors);
        if (result.HelpRequested)
        {
            errors.Add("--help prints help and exits");
        }

        return (errors.Count == 0 ? result.Options : null, [.. errors.Distinct()]);
    }

    /// <summary>
    /// Flags that are not in <paramref name="specs"/> (strictly: the gateway would pass some on to its host) and
    /// ORLEANSRAFT_* variables that name no option (the programs would silently ignore those).
    /// </summary>
    private static List<string> Unknown(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, IReadOnlyList<OptionSpec> specs)
    {
        var errors = new List<string>(OptionParsing.ParseArguments(args, specs).Errors);
        var known = specs.Select(spec => spec.EnvironmentVariable).ToHashSet(StringComparer.Ordinal);
        errors.AddRange(environment.Keys
            .Where(name => name.StartsWith("ORLEANSRAFT_", StringComparison.Ordinal) && !known.Contains(name))
            .Select(name => $"environment variable {name} is no option (known: {string.Join(", ", known)})"));
        return errors;
    }
}
