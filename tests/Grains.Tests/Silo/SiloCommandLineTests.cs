using OrleansRaft.Silo;

namespace OrleansRaft.Grains.Tests.Silo;

public sealed class SiloCommandLineTests
{
    private const string Peers = "1=http://127.0.0.1:7001,2=http://127.0.0.1:7002,3=http://127.0.0.1:7003";

    [Fact]
    public void The_command_line_fills_the_options_and_defaults_the_rest()
    {
        var options = Load(["--node-id", "2", "--peers", Peers, "--in-memory", "--election-timeout", "200-400"]);
        Assert.Equal(2, options.NodeId);
        Assert.Equal([1L, 2L, 3L], options.Peers.Keys.Order());
        Assert.Equal(new Uri("http://127.0.0.1:7002"), options.ListenAddress);
        Assert.True(options.InMemory);
        Assert.Equal(1, options.GroupId);
        Assert.Null(options.Seed);
        Assert.Equal(1 << 20, options.MaxBatchBytes);
        Assert.Equal(64 << 20, options.MaxMessageBytes);
        Assert.Equal(64, options.Inflight);

        var replica = options.ToReplicaOptions();
        Assert.Equal((20, 40, 3), (replica.ElectionTicks, replica.ElectionTicksMax, replica.HeartbeatTicks));
        Assert.Equal(TimeSpan.FromMilliseconds(10), replica.TickInterval);
        Assert.Equal([1L, 2L, 3L], replica.InitialVoters);
        Assert.Equal(64 << 20, options.ToTransportOptions().MaxFrameBytes);
    }

    [Fact]
    public void Join_starts_a_new_member_with_no_configuration_of_its_own()
    {
        var options = Load(["--node-id", "4", "--peers", Peers + ",4=http://127.0.0.1:7004", "--in-memory", "--join"]);
        Assert.True(options.Join);
        Assert.Empty(options.ToReplicaOptions().InitialVoters);
        Assert.False(Load(["--node-id", "1", "--peers", Peers, "--in-memory"]).Join);
    }

    [Fact]
    public void A_flag_before_another_option_takes_no_value_and_sizes_take_suffixes()
    {
        var options = Load(["--in-memory", "--node-id=1", "--peers", Peers, "--seed", "5", "--max-batch-bytes", "512KiB", "--max-message-bytes", "2MiB", "--group", "9", "--listen", "http://0.0.0.0:9000"]);
        Assert.True(options.InMemory);
        Assert.Equal(5, options.Seed);
        Assert.Equal(512 << 10, options.MaxBatchBytes);
        Assert.Equal(2 << 20, options.MaxMessageBytes);
        Assert.Equal(9, options.GroupId);
        Assert.Equal(new Uri("http://0.0.0.0:9000"), options.ListenAddress);
    }

    [Fact]
    public void The_command_line_beats_the_environment_which_beats_appsettings()
    {
        var file = Path.Combine(Path.GetTempPath(), $"silo-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, $$"""{ "Silo": { "NodeId": 3, "Peers": "{{Peers}}", "Pg": "Host=json", "HeartbeatMs": 20, "TickMs": 5 } }""");
        try
        {
            var environment = new Dictionary<string, string> { ["ORLEANSRAFT_PG"] = "Host=env", ["ORLEANSRAFT_HEARTBEAT_MS"] = "25" };
            var result = SiloCommandLine.Load(["--heartbeat-ms", "40"], environment.GetValueOrDefault, file);
            Assert.Empty(result.Errors);
            var options = result.Options!;
            Assert.Equal((3L, "Host=env", 40, 5), (options.NodeId, options.PostgresConnectionString, options.HeartbeatMs, options.TickMs));
            Assert.False(options.InMemory);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--node-id is required")]
    [InlineData("--pg is required", "--node-id", "1", "--peers", "1=http://a:1")]
    [InlineData("must include this silo", "--node-id", "4", "--peers", Peers, "--in-memory")]
    [InlineData("not an http://host:port", "--node-id", "1", "--peers", "1=https://a:1", "--in-memory")]
    [InlineData("appears twice", "--node-id", "1", "--peers", "1=http://a:1,1=http://b:1", "--in-memory")]
    [InlineData("--election-timeout '300-150'", "--node-id", "1", "--peers", Peers, "--in-memory", "--election-timeout", "300-150")]
    [InlineData("--heartbeat-ms (200)", "--node-id", "1", "--peers", Peers, "--in-memory", "--heartbeat-ms", "200")]
    [InlineData("unknown option '--bogus'", "--node-id", "1", "--peers", Peers, "--in-memory", "--bogus", "1")]
    [InlineData("needs a value", "--node-id", "1", "--peers", Peers, "--in-memory", "--seed")]
    [InlineData("unknown size suffix", "--node-id", "1", "--peers", Peers, "--in-memory", "--max-batch-bytes", "1XB")]
    public void Bad_options_are_reported_in_words(string expected, params string[] args)
    {
        var result = SiloCommandLine.Load(args, _ => null, null);
        Assert.Null(result.Options);
        Assert.Contains(result.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Help_lists_every_option_with_its_default()
    {
        Assert.True(SiloCommandLine.Load(["--node-id", "1", "--help"], _ => null, null).HelpRequested);
        foreach (var spec in SiloCommandLine.Specs)
        {
            Assert.Contains($"--{spec.Name}", SiloCommandLine.HelpText, StringComparison.Ordinal);
            Assert.Contains($"default: {spec.Default}", SiloCommandLine.HelpText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_process_exits_0_on_help_and_2_on_bad_options()
    {
        Assert.Equal(0, await SiloProgram.RunAsync(["--help"]));
        Assert.Equal(2, await SiloProgram.RunAsync(["--node-id", "1", "--bogus"]));
    }

    private static SiloOptions Load(string[] args)
    {
        var result = SiloCommandLine.Load(args, _ => null, null);
        Assert.Empty(result.Errors);
        return result.Options!;
    }
}
