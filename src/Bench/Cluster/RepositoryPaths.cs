namespace OrleansRaft.Bench.Cluster;

/// <summary>Where the checkout, the built silo and the results folder are, found from the running binary.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(Find);

    /// <summary>The checkout: the first folder holding OrleansRaft.sln above the binary or the working directory.</summary>
    public static string Root => RootPath.Value;

    /// <summary>The Release build of the silo for the framework this tool runs on (scripts/bench builds it).</summary>
    public static string SiloDll
    {
        get
        {
            var framework = Path.GetFileName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return Path.Combine(Root, "src", "Silo", "bin", "Release", framework.StartsWith("net", StringComparison.Ordinal) ? framework : "net10.0", "OrleansRaft.Silo.dll");
        }
    }

    /// <summary>Default parent of the per-run results folders (git-ignored).</summary>
    public static string Results => Path.Combine(Root, ".data", "bench");

    public static string Script(string name) => Path.Combine(Root, "scripts", name);

    /// <summary>A path as reports show it: relative to the checkout when inside it, so reports read the same on every machine.</summary>
    public static string Display(string path)
    {
        var full = Path.GetFullPath(path);
        return full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? Path.GetRelativePath(Root, full) : full;
    }

    private static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "OrleansRaft.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("OrleansRaft.sln not found above the bench binary or the working directory");
    }
}
