using OrleansRaft.Infra.Tests.Compose;
using OrleansRaft.Infra.Tests.Yaml;
using YamlDotNet.RepresentationModel;

namespace OrleansRaft.Infra.Tests.Files;

/// <summary>
/// The repository's files as the checks read them, with optional edits: a test breaks one reference in a copy
/// (never on disk) and expects the checks to notice.
/// </summary>
public sealed class InfraFiles
{
    public const string ComposeDirectory = "infra/compose";
    public const string ComposeFile = "infra/compose/compose.yaml";
    public const string VmDirectory = "infra/vm";

    private readonly Dictionary<string, Func<string, string>> edits;
    private ComposeProject? compose;

    public InfraFiles(string root, IReadOnlyDictionary<string, Func<string, string>>? edits = null)
    {
        Root = root;
        this.edits = edits?.ToDictionary(pair => Canonical(pair.Key), pair => pair.Value, StringComparer.Ordinal) ?? [];
    }

    public string Root { get; }

    /// <summary>The real checkout.</summary>
    public static InfraFiles Repository() => new(RepositoryRoot.Find());

    /// <summary>The checkout with <paramref name="oldText"/> replaced by <paramref name="newText"/> in one file; the text must occur.</summary>
    public static InfraFiles WithEdit(string relativePath, string oldText, string newText) =>
        new(RepositoryRoot.Find(), new Dictionary<string, Func<string, string>>
        {
            [relativePath] = text => text.Contains(oldText, StringComparison.Ordinal)
                ? text.Replace(oldText, newText, StringComparison.Ordinal)
                : throw new InvalidOperationException($"'{oldText}' is not in {relativePath}: the test no longer breaks anything"),
        });

    public ComposeProject Compose => compose ??= ComposeProject.Parse(Read(ComposeFile));

    public string FullPath(string relativePath) => Path.GetFullPath(Path.Combine(Root, relativePath));

    public bool Exists(string relativePath) => File.Exists(FullPath(relativePath)) || Directory.Exists(FullPath(relativePath));

    public string Read(string relativePath)
    {
        var text = File.ReadAllText(FullPath(relativePath));
        return edits.TryGetValue(Canonical(relativePath), out var edit) ? edit(text) : text;
    }

    public YamlMappingNode ReadYaml(string relativePath) => YamlNodes.Load(Read(relativePath), relativePath);

    /// <summary>A path relative to the compose file's folder (as compose.yaml writes them) made relative to the root.</summary>
    public string FromComposeDirectory(string path) =>
        Normalize(Path.GetRelativePath(Root, FullPath(Path.Combine(ComposeDirectory, path))));

    public static string Normalize(string relativePath) => relativePath.Replace('\\', '/');

    /// <summary>One spelling per file: relative to the root, forward slashes, no "./" or "..".</summary>
    public string Canonical(string relativePath) => Normalize(Path.GetRelativePath(Root, FullPath(relativePath)));
}
