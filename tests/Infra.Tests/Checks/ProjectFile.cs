using System.Xml.Linq;

namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>What the checks read from a .csproj: its assembly name and its project references.</summary>
public sealed record ProjectFile(string Path, string AssemblyName, IReadOnlyList<string> References)
{
    /// <param name="path">Relative to the repository root, with forward slashes.</param>
    public static ProjectFile Load(string root, string path)
    {
        var document = XDocument.Load(System.IO.Path.Combine(root, path));
        var folder = System.IO.Path.GetDirectoryName(path) ?? string.Empty;
        var assemblyName = document.Descendants("AssemblyName").Select(e => e.Value).LastOrDefault()
            ?? System.IO.Path.GetFileNameWithoutExtension(path);
        var references = document.Descendants("ProjectReference")
            .Select(e => e.Attribute("Include")?.Value)
            .OfType<string>()
            .Select(include => System.IO.Path.GetRelativePath(root, System.IO.Path.GetFullPath(System.IO.Path.Combine(root, folder, include))).Replace('\\', '/'))
            .ToList();
        return new ProjectFile(path, assemblyName, references);
    }

    /// <summary>This project and every project it references, directly or not.</summary>
    public static IReadOnlyList<ProjectFile> Closure(string root, string path)
    {
        var seen = new Dictionary<string, ProjectFile>(StringComparer.Ordinal);
        var pending = new Stack<string>([path]);
        while (pending.TryPop(out var next))
        {
            if (seen.ContainsKey(next))
            {
                continue;
            }

            var project = Load(root, next);
            seen[next] = project;
            foreach (var reference in project.References)
            {
                pending.Push(reference);
            }
        }

        return [.. seen.Values];
    }
}
