namespace OrleansRaft.Silo;

/// <summary>The process: read options (or print help), run the silo until SIGTERM or Ctrl+C.</summary>
public static class SiloProgram
{
    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = SiloCommandLine.Load(args, Environment.GetEnvironmentVariable, Path.Combine(AppContext.BaseDirectory, "appsettings.json"));
        if (configuration.HelpRequested)
        {
            Console.Out.Write(SiloCommandLine.HelpText);
            return 0;
        }

        if (configuration.Options is not { } options)
        {
            foreach (var error in configuration.Errors)
            {
                await Console.Error.WriteLineAsync($"silo: {error}");
            }

            await Console.Error.WriteLineAsync("silo: see --help");
            return 2;
        }

        await using var app = SiloApp.Build(options);
        await app.RunAsync();
        return 0;
    }
}
