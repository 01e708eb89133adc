using OrleansRaft.Infra.Tests.Yaml;

namespace OrleansRaft.Infra.Tests.Compose;

/// <summary>compose.yaml: its services by name and its named volumes.</summary>
public sealed record ComposeProject(IReadOnlyDictionary<string, ComposeService> Services, IReadOnlyList<string> NamedVolumes)
{
    public static ComposeProject Parse(string text)
    {
        var root = YamlNodes.Load(ComposeInterpolation.Apply(text), "compose.yaml");
        var services = root.At("services");
        return new ComposeProject(
            services.Keys().ToDictionary(name => name, name => ComposeService.Parse(name, services.Child(name)!)),
            root.At("volumes").Keys());
    }

    /// <summary>The services built from <paramref name="dockerfile"/> (a path relative to the build context).</summary>
    public IReadOnlyList<ComposeService> BuiltFrom(string dockerfile) =>
        [.. Services.Values.Where(s => s.Dockerfile == dockerfile).OrderBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>The services whose image name contains <paramref name="fragment"/>.</summary>
    public IReadOnlyList<ComposeService> WithImage(string fragment) =>
        [.. Services.Values.Where(s => s.Image?.Contains(fragment, StringComparison.Ordinal) == true).OrderBy(s => s.Name, StringComparer.Ordinal)];
}
