using OrleansRaft.Infra.Tests.Yaml;
using YamlDotNet.RepresentationModel;

namespace OrleansRaft.Infra.Tests.Compose;

/// <summary>One service of compose.yaml, merge keys applied, variables substituted.</summary>
public sealed record ComposeService(
    string Name,
    string? Image,
    string? BuildContext,
    string? Dockerfile,
    string? Hostname,
    IReadOnlyList<string> Command,
    IReadOnlyList<string> Entrypoint,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<PortMapping> Ports,
    IReadOnlyList<VolumeMount> Volumes,
    IReadOnlyList<string> DependsOn,
    string? StopSignal,
    string? StopGracePeriod)
{
    public static ComposeService Parse(string name, YamlNode node) => new(
        name,
        node.TextAt("image"),
        node.At("build") is YamlScalarNode context ? context.Value : node.TextAt("build", "context"),
        node.TextAt("build", "dockerfile") ?? (node.At("build") is null ? null : "Dockerfile"),
        node.TextAt("hostname"),
        Words(node.At("command")),
        Words(node.At("entrypoint")),
        EnvironmentOf(node.At("environment")),
        [.. Entries(node.At("ports")).Select(PortMapping.Parse)],
        [.. Entries(node.At("volumes")).Select(VolumeMount.Parse)],
        node.At("depends_on") is YamlSequenceNode list ? list.Texts() : node.At("depends_on").Keys(),
        node.TextAt("stop_signal"),
        node.TextAt("stop_grace_period"));

    /// <summary>A command or entrypoint: a list as it is, a string split at white space (no quoting is used here).</summary>
    private static IReadOnlyList<string> Words(YamlNode? node) => node switch
    {
        YamlSequenceNode sequence => sequence.Texts(),
        YamlScalarNode { Value: { } text } => text.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        _ => [],
    };

    private static IReadOnlyDictionary<string, string> EnvironmentOf(YamlNode? node)
    {
        if (node is YamlSequenceNode list)
        {
            return list.Texts().Select(entry => entry.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair.Length == 2 ? pair[1] : string.Empty);
        }

        return node.Keys().ToDictionary(key => key, key => node.TextAt(key) ?? string.Empty);
    }

    /// <summary>Short-syntax entries; long-syntax port mappings are written back as short ones.</summary>
    private static IEnumerable<string> Entries(YamlNode? node) => node.Items().Select(item => item switch
    {
        YamlScalarNode { Value: { } text } => text,
        YamlMappingNode mapping when mapping.TextAt("target") is { } target && mapping.TextAt("source") is { } source => $"{source}:{target}{(mapping.TextAt("read_only") == "true" ? ":ro" : string.Empty)}",
        YamlMappingNode mapping when mapping.TextAt("target") is { } target => string.Join(':', new[] { mapping.TextAt("host_ip"), mapping.TextAt("published"), target }.OfType<string>()),
        _ => throw new FormatException($"unreadable entry at {item.Start}"),
    });
}
