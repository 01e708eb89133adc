using System.Globalization;

namespace OrleansRaft.Testing.Processes;

/// <summary>Where process tests keep their silos' logs: a fresh folder under the checkout's git-ignored .data/.</summary>
public static class ProcessLogFolder
{
    /// <summary>Creates <c>.data/processes/{name}-{UTC time}-{random}</c> and returns its full path.</summary>
    public static string Create(string name)
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var folder = Path.Combine(RepositoryRoot(), ".data", "processes", $"{name}-{stamp}-{Random.Shared.Next(0x10000):x4}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>The checkout this code runs from (the folder holding OrleansRaft.sln), else the working directory.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansRaft.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
