namespace OrleansRaft.Grains.Hosting;

/// <summary>One option of a host (silo, gateway) as the command line, the environment and appsettings.json spell it.</summary>
/// <param name="Name">The command-line name without dashes, e.g. <c>node-id</c>.</param>
/// <param name="Default">What applies when no source sets it, as shown by --help.</param>
/// <param name="IsFlag">Takes no value on the command line.</param>
public sealed record OptionSpec(string Name, string Default, string Help, bool IsFlag = false)
{
    /// <summary>The key under the host's section of appsettings.json, e.g. <c>NodeId</c>.</summary>
    public string ConfigKey => string.Concat(Name.Split('-').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>The environment variable, e.g. <c>ORLEANSRAFT_NODE_ID</c>.</summary>
    public string EnvironmentVariable => "ORLEANSRAFT_" + Name.Replace('-', '_').ToUpperInvariant();
}
