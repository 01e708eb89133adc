namespace OrleansRaft.Infra.Tests.Files;

/// <summary>The checkout the tests run from, found by walking up to OrleansRaft.sln.</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansRaft.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no OrleansRaft.sln above {AppContext.BaseDirectory}");
    }
}
