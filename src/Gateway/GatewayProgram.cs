using Microsoft.AspNetCore.Builder;
using OrleansRaft.Gateway.Configuration;

namespace OrleansRaft.Gateway;

/// <summary>The process: read options (or print help), serve until SIGTERM or Ctrl+C.</summary>
public static class GatewayProgram
{
    public static async Task<int> RunAsync(string[] args)
    {
        var parsed = GatewayCommandLine.Parse(args);
        if (parsed.HelpRequested)
        {
            Console.Out.Write(GatewayCommandLine.HelpText);
            return 0;
        }

        // The builder first: its configuration carries the host's "Gateway:Key" settings (WebApplicationFactory's among them).
        var builder = GatewayApp.CreateBuilder(parsed.HostArguments);
        var configuration = GatewayCommandLine.Bind(
            parsed,
            Environment.GetEnvironmentVariable,
            Path.Combine(AppContext.BaseDirectory, "appsettings.json"),
            builder.Configuration);
        if (configuration.Options is not { } options)
        {
            foreach (var error in configuration.Errors)
            {
                await Console.Error.WriteLineAsync($"gateway: {error}");
            }

            await Console.Error.WriteLineAsync("gateway: see --help");
            return 2;
        }

        await using var app = GatewayApp.Build(builder, options);
        await app.RunAsync();
        return 0;
    }
}
