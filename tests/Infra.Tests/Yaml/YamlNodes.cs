using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OrleansRaft.Infra.Tests.Yaml;

/// <summary>Reading YamlDotNet's node tree: lookups that follow compose's merge keys (<c>&lt;&lt;: *anchor</c>).</summary>
public static class YamlNodes
{
    private const string MergeKey = "<<";

    /// <summary>The root mapping of the one document in <paramref name="text"/>; aliases come resolved.</summary>
    public static YamlMappingNode Load(string text, string name)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{name}: not YAML: {e.Message}", e);
        }

        return stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode root
            ? root
            : throw new InvalidDataException($"{name}: expected one document with a mapping at its root");
    }

    /// <summary>The value under <paramref name="key"/>, looking through merge keys; null when absent.</summary>
    public static YamlNode? Child(this YamlNode? node, string key)
    {
        if (node is not YamlMappingNode mapping)
        {
            return null;
        }

        if (mapping.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            return value;
        }

        return mapping.Children.TryGetValue(new YamlScalarNode(MergeKey), out var merged) switch
        {
            false => null,
            true when merged is YamlSequenceNode many => many.Select(m => m.Child(key)).FirstOrDefault(v => v is not null),
            true => merged.Child(key),
        };
    }

    /// <summary>The value at a path of keys; null when any step is absent.</summary>
    public static YamlNode? At(this YamlNode? node, params string[] path) =>
        path.Aggregate(node, (current, key) => current.Child(key));

    public static string? Text(this YamlNode? node) => node is YamlScalarNode scalar ? scalar.Value : null;

    public static string? TextAt(this YamlNode? node, params string[] path) => node.At(path).Text();

    /// <summary>The keys of a mapping, merged ones included, in order; empty for anything else.</summary>
    public static IReadOnlyList<string> Keys(this YamlNode? node)
    {
        if (node is not YamlMappingNode mapping)
        {
            return [];
        }

        var keys = new List<string>();
        foreach (var (key, value) in mapping.Children)
        {
            if (key.Text() == MergeKey)
            {
                var sources = value is YamlSequenceNode many ? many.Children : [value];
                keys.AddRange(sources.SelectMany(source => source.Keys()));
            }
            else if (key.Text() is { } text)
            {
                keys.Add(text);
            }
        }

        return [.. keys.Distinct()];
    }

    /// <summary>The items of a sequence; empty when it is absent or not a sequence.</summary>
    public static IReadOnlyList<YamlNode> Items(this YamlNode? node) =>
        node is YamlSequenceNode sequence ? [.. sequence.Children] : [];

    /// <summary>The scalar items of a sequence.</summary>
    public static IReadOnlyList<string> Texts(this YamlNode? node) =>
        [.. node.Items().Select(item => item.Text()).OfType<string>()];
}
