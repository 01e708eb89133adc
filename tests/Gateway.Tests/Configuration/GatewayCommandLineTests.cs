using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using OrleansRaft.Gateway.Configuration;

namespace OrleansRaft.Gateway.Tests.Configuration;

public sealed class GatewayCommandLineTests
{
    private const string Silos = "1=http://127.0.0.1:7001,2=http://127.0.0.1:7002,3=http://127.0.0.1:7003";

    [Fact]
    public void The_scripted_command_line_fills_the_options_and_defaults_the_rest()
    {
        var options = Load(["--silos", Silos, "--urls", "http://127.0.0.1:8080"]);
        Assert.Equal([1L, 2L, 3L], options.Silos.Keys.Order());
        Assert.Equal(new Uri("http://127.0.0.1:7002"), options.Silos[2]);
        Assert.Equal([new Uri("http://127.0.0.1:8080")], options.Urls);
        Assert.Empty(options.H2Urls);
        Assert.Equal((1L, 5000, 1L << 20), (options.GroupId, options.DeadlineMs, options.MaxValueBytes));
        Assert.Equal((1000, 5000, 1), (options.StatusTimeoutMs, options.BodyTimeoutMs, options.RetryAfterSeconds));

        options = Load(["--silos", Silos, "--urls", "http://127.0.0.1:8080", "--group", "1", "--deadline-ms", "2500", "--max-value-bytes", "2MiB", "--h2-urls=http://127.0.0.1:8081"]);
        Assert.Equal((2500, 2L << 20), (options.DeadlineMs, options.MaxValueBytes));
        Assert.Equal([new Uri("http://127.0.0.1:8081")], options.H2Urls);
    }

    [Fact]
    public void The_command_line_beats_the_environment_which_beats_appsettings()
    {
        var file = Path.Combine(Path.GetTempPath(), $"gateway-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, $$"""{ "Gateway": { "Silos": "{{Silos}}", "DeadlineMs": 100, "Group": 7, "RetryAfterS": 3 } }""");
        try
        {
            var environment = new Dictionary<string, string> { ["ORLEANSRAFT_DEADLINE_MS"] = "200", ["ORLEANSRAFT_GROUP"] = "8" };
            var result = GatewayCommandLine.Load(["--deadline-ms", "300"], environment.GetValueOrDefault, file);
            Assert.Empty(result.Errors);
            Assert.Equal((300, 8L, 3), (result.Options!.DeadlineMs, result.Options.GroupId, result.Options.RetryAfterSeconds));
            Assert.Equal(3, result.Options.Silos.Count);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Host_settings_pass_through_and_the_host_configuration_supplies_gateway_keys()
    {
        var parsed = GatewayCommandLine.Parse(["--Gateway=", "--Gateway:Silos=" + Silos, "--environment=Development", "--contentRoot", "/tmp", "--deadline-ms", "900"]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(["--Gateway=", "--Gateway:Silos=" + Silos, "--environment=Development", "--contentRoot", "/tmp"], parsed.HostArguments);

        var configuration = new ConfigurationBuilder().AddCommandLine([.. parsed.HostArguments]).Build();
        var result = GatewayCommandLine.Bind(parsed, _ => null, null, configuration);
        Assert.Empty(result.Errors);
        Assert.Equal((3, 900), (result.Options!.Silos.Count, result.Options.DeadlineMs));
    }

    [Theory]
    [InlineData(new string[0], "--silos is required")]
    [InlineData(new[] { "--silos", "1=ftp://x:1" }, "not an http://host:port")]
    [InlineData(new[] { "--silos", "0=http://x:1" }, "positive id")]
    [InlineData(new[] { "--silos", "1=http://x:1,1=http://x:2" }, "appears twice")]
    [InlineData(new[] { "--silos", Silos, "--deadline-ms", "soon" }, "--deadline-ms 'soon'")]
    [InlineData(new[] { "--silos", Silos, "--deadline-ms", "0" }, "must be positive")]
    [InlineData(new[] { "--silos", Silos, "--max-value-bytes", "1TiB" }, "size suffix")]
    [InlineData(new[] { "--silos", Silos, "--body-timeout-ms", "500" }, "more than 1000")]
    [InlineData(new[] { "--silos", Silos, "--urls", "https://x:1" }, "cleartext")]
    [InlineData(new[] { "--silos", Silos, "--bogus", "1" }, "unknown option '--bogus'")]
    [InlineData(new[] { "--silos" }, "needs a value")]
    [InlineData(new[] { "stray" }, "unexpected argument")]
    public void Bad_input_is_reported_in_words(string[] args, string expected)
    {
        var result = GatewayCommandLine.Load(args, _ => null, null);
        Assert.Null(result.Options);
        Assert.Contains(result.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Help_lists_every_option_with_its_default_and_exits_0()
    {
        Assert.True(GatewayCommandLine.Load(["--help"], _ => null, null).HelpRequested);
        var dll = typeof(GatewayApp).Assembly.Location;
        using var process = Process.Start(new ProcessStartInfo("dotnet", ["exec", dll, "--help"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var text = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, process.ExitCode);
        foreach (var spec in GatewayCommandLine.Specs)
        {
            Assert.Contains($"--{spec.Name}", text);
            Assert.Contains($"default: {spec.Default}; env {spec.EnvironmentVariable}; appsettings Gateway:{spec.ConfigKey}", text);
        }

        Assert.Contains("ORLEANSRAFT_SILOS", text);
        Assert.Contains("default: 5000; env ORLEANSRAFT_DEADLINE_MS", text);
    }

    [Fact]
    public async Task A_bad_command_line_exits_2_with_the_errors()
    {
        var dll = typeof(GatewayApp).Assembly.Location;
        using var process = Process.Start(new ProcessStartInfo("dotnet", ["exec", dll, "--deadline-ms", "x"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var errors = await process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--deadline-ms 'x'", errors);
        Assert.Contains("see --help", errors);
    }

    private static GatewayOptions Load(string[] args)
    {
        var result = GatewayCommandLine.Load(args, _ => null, null);
        Assert.Empty(result.Errors);
        return result.Options!;
    }
}
