using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>The silo and gateway Dockerfiles against the repository: what they copy exists and is enough, the entrypoint is the project's dll.</summary>
public static partial class DockerfileChecks
{
    /// <summary>Files the build needs beside the projects: SDK pin, shared build settings, central package versions.</summary>
    public static IReadOnlyList<string> BuildFiles { get; } = ["global.json", "Directory.Build.props", "Directory.Packages.props"];

    public static IReadOnlyList<string> Check(ComposeStack stack) => Problems.Collect(problems =>
    {
        var built = stack.Compose.Services.Values.Where(s => s.BuildContext is not null).ToList();
        if (built.Count == 0)
        {
            problems.Add("compose.yaml builds no image");
        }

        foreach (var service in built)
        {
            var context = stack.Files.FromComposeDirectory(service.BuildContext!);
            if (context != "." || !stack.Files.Exists("OrleansRaft.sln"))
            {
                problems.Add($"service {service.Name}: build context {service.BuildContext} is {context}, not the repository root the Dockerfiles copy from");
                continue;
            }

            var path = stack.DockerfilePath(service)!;
            if (stack.DockerfileOf(service) is not { } dockerfile)
            {
                problems.Add($"service {service.Name}: {path} does not exist");
                continue;
            }

            problems.AddRange(Check(stack, path, dockerfile));
        }
    });

    private static IEnumerable<string> Check(ComposeStack stack, string path, Docker.Dockerfile dockerfile)
    {
        var copied = dockerfile.CopiedFromContext.Select(c => c.TrimEnd('/')).ToHashSet(StringComparer.Ordinal);
        foreach (var source in copied.Where(s => !stack.Files.Exists(s)))
        {
            yield return $"{path}: COPY {source}, which is not in the repository";
        }

        foreach (var file in BuildFiles.Where(f => !copied.Contains(f)))
        {
            yield return $"{path}: does not COPY {file}, which the build reads";
        }

        var projects = dockerfile.Runs.SelectMany(run => DotnetProject().Matches(run)).Select(m => (Verb: m.Groups["verb"].Value, Project: m.Groups["project"].Value)).ToList();
        var published = projects.Where(p => p.Verb == "publish").Select(p => p.Project).ToList();
        if (published.Count != 1)
        {
            yield return $"{path}: expected one 'dotnet publish <project>.csproj', found {published.Count}";
            yield break;
        }

        foreach (var (verb, project) in projects.Where(p => !stack.Files.Exists(p.Project)))
        {
            yield return $"{path}: dotnet {verb} {project}, which does not exist";
        }

        if (!stack.Files.Exists(published[0]))
        {
            yield break;
        }

        // The published project and everything it references must be in the image's source tree.
        var closure = ProjectFile.Closure(stack.Files.Root, published[0]);
        foreach (var project in closure)
        {
            var folder = Path.GetDirectoryName(project.Path)!.Replace('\\', '/');
            if (!copied.Contains(folder))
            {
                yield return $"{path}: does not COPY {folder}/, which {published[0]} needs ({project.AssemblyName})";
            }
        }

        var entrypoint = dockerfile.Entrypoint;
        var dll = closure.Single(p => p.Path == published[0]).AssemblyName + ".dll";
        if (entrypoint is not ["dotnet", var started] || started != dll)
        {
            yield return $"{path}: ENTRYPOINT [{string.Join(", ", entrypoint)}] does not run {dll} ({published[0]}'s AssemblyName)";
        }

        // The images' .NET version is the one the projects target.
        var framework = XDocument.Load(stack.Files.FullPath("Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        var version = framework.Replace("net", string.Empty, StringComparison.Ordinal);
        var images = dockerfile.BaseImages;
        if (images.Count < 2 || images[0] != $"mcr.microsoft.com/dotnet/sdk:{version}" || images[^1] != $"mcr.microsoft.com/dotnet/aspnet:{version}")
        {
            yield return $"{path}: stages [{string.Join(", ", images)}] are not sdk:{version} then aspnet:{version} ({framework})";
        }
    }

    [GeneratedRegex(@"dotnet (?<verb>restore|publish|build) (?<project>\S+\.csproj)")]
    private static partial Regex DotnetProject();
}
