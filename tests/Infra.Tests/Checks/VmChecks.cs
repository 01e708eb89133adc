using OrleansRaft.Infra.Tests.Files;
using OrleansRaft.Infra.Tests.Systemd;

namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>infra/vm: systemd units and their environment files against the programs' real options and graceful stop.</summary>
public static class VmChecks
{
    public const string SiloUnit = "infra/vm/orleansraft-silo.service";
    public const string GatewayUnit = "infra/vm/orleansraft-gateway.service";

    /// <summary>The deployment the README describes: five silos on five VMs.</summary>
    public const int Silos = 5;

    /// <summary>The unit runs the silo: a real user, restarts on failure, SIGTERM with more time than the silo's graceful stop, real options.</summary>
    public static IReadOnlyList<string> Silo(InfraFiles files) => Problems.Collect(problems =>
    {
        var (unit, environment) = Load(files, SiloUnit, problems);
        problems.AddRange(Service(SiloUnit, unit, Programs.SiloDll, HostShutdown.Silo));
        var (options, errors) = Programs.LoadSilo(Arguments(unit, Programs.SiloDll), environment);
        problems.AddRange(errors.Select(e => $"{SiloUnit} with its environment file: {e}"));
        if (options is not null && options.Peers.Count != Silos)
        {
            problems.Add($"{SiloUnit}: the environment file lists {options.Peers.Count} peers; the README's deployment has {Silos}");
        }

        problems.AddRange(OtelEnvironment.Check(SiloUnit + "'s environment file", environment, new ComposeStack(files).CollectorOtlpHttp.Port, host: null));
    });

    /// <summary>The unit runs the gateway with real options, and the gateway knows the silos the silo unit's file lists.</summary>
    public static IReadOnlyList<string> Gateway(InfraFiles files) => Problems.Collect(problems =>
    {
        var (unit, environment) = Load(files, GatewayUnit, problems);
        problems.AddRange(Service(GatewayUnit, unit, Programs.GatewayDll, HostShutdown.Gateway));
        var (options, errors) = Programs.LoadGateway(Arguments(unit, Programs.GatewayDll), environment);
        problems.AddRange(errors.Select(e => $"{GatewayUnit} with its environment file: {e}"));
        var (siloUnit, siloEnvironment) = Load(files, SiloUnit, []);
        var silo = Programs.LoadSilo(Arguments(siloUnit, Programs.SiloDll), siloEnvironment).Options;
        if (options is not null && silo is not null && !options.Silos.OrderBy(s => s.Key).SequenceEqual(silo.Peers.OrderBy(p => p.Key)))
        {
            problems.Add($"{GatewayUnit}: the gateway's silos ({string.Join(",", options.Silos.Values)}) are not the silos' peers ({string.Join(",", silo.Peers.Values)})");
        }

        if (options is not null && options.Urls.All(u => u.IsLoopback) && options.H2Urls.All(u => u.IsLoopback))
        {
            problems.Add($"{GatewayUnit}: the gateway serves on loopback only; clients on other machines cannot reach it");
        }

        problems.AddRange(OtelEnvironment.Check(GatewayUnit + "'s environment file", environment, new ComposeStack(files).CollectorOtlpHttp.Port, host: null));
    });

    private static (SystemdUnit Unit, IReadOnlyDictionary<string, string> Environment) Load(InfraFiles files, string path, List<string> problems)
    {
        var unit = SystemdUnit.Parse(files.Read(path));
        var environmentFiles = unit.All("Service", "EnvironmentFile");
        if (environmentFiles.Count != 1)
        {
            problems.Add($"{path}: expected one EnvironmentFile=, found {environmentFiles.Count}");
            return (unit, new Dictionary<string, string>());
        }

        // Installed as /etc/orleansraft/NAME; the repository's copy is infra/vm/NAME.
        var local = $"{InfraFiles.VmDirectory}/{Path.GetFileName(environmentFiles[0].TrimStart('-'))}";
        if (!files.Exists(local))
        {
            problems.Add($"{path}: EnvironmentFile {environmentFiles[0]} has no copy at {local}");
            return (unit, new Dictionary<string, string>());
        }

        return (unit, EnvironmentFile.Parse(files.Read(local)));
    }

    /// <summary>The arguments after the dll in ExecStart.</summary>
    private static IReadOnlyList<string> Arguments(SystemdUnit unit, string dll)
    {
        var words = (unit.Get("Service", "ExecStart") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.FindIndex(words, w => w.EndsWith("/" + dll, StringComparison.Ordinal));
        return at < 0 ? [] : words[(at + 1)..];
    }

    private static IEnumerable<string> Service(string path, SystemdUnit unit, string dll, TimeSpan shutdown)
    {
        string? Get(string key) => unit.Get("Service", key);

        if (Get("User") is not { Length: > 0 } user || user == "root")
        {
            yield return $"{path}: User= must name an unprivileged user";
        }

        if (Get("Restart") != "on-failure")
        {
            yield return $"{path}: Restart= is {Get("Restart") ?? "unset"}, not on-failure";
        }

        if (!int.TryParse(Get("LimitNOFILE"), NumberStyles.None, CultureInfo.InvariantCulture, out var files) || files < 4096)
        {
            yield return $"{path}: LimitNOFILE= is {Get("LimitNOFILE") ?? "unset"}; a silo holds connections to peers, gateways and PostgreSQL";
        }

        if (Get("KillSignal") != "SIGTERM")
        {
            yield return $"{path}: KillSignal= is {Get("KillSignal") ?? "unset"}; the graceful stop starts on SIGTERM";
        }

        var stop = Get("TimeoutStopSec") is { } text ? Durations.Parse(text) : TimeSpan.FromSeconds(90);
        if (stop <= shutdown)
        {
            yield return $"{path}: TimeoutStopSec={stop.TotalSeconds}s is not above the host's shutdown timeout {shutdown.TotalSeconds}s: systemd would SIGKILL a stop in progress";
        }

        var words = (Get("ExecStart") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words is not [var dotnet, var program, ..] || !dotnet.StartsWith('/') || Path.GetFileName(dotnet) != "dotnet" || Path.GetFileName(program) != dll)
        {
            yield return $"{path}: ExecStart={Get("ExecStart")} is not /path/to/dotnet /path/to/{dll} [options]";
        }
        else if (Get("WorkingDirectory") is { } directory && Path.GetDirectoryName(program) != directory.TrimEnd('/'))
        {
            yield return $"{path}: WorkingDirectory={directory} is not the folder of {program}";
        }

        if (unit.Get("Install", "WantedBy") is null)
        {
            yield return $"{path}: no [Install] WantedBy=; systemctl enable would do nothing";
        }
    }
}
