using OrleansRaft.Infra.Tests.Checks;
using OrleansRaft.Infra.Tests.Compose;
using OrleansRaft.Infra.Tests.Systemd;
using OrleansRaft.Infra.Tests.Yaml;

namespace OrleansRaft.Infra.Tests;

/// <summary>The small readers the checks stand on.</summary>
public sealed class ParserTests
{
    [Fact]
    public void Compose_variables_take_their_default_and_double_dollars_stay_literal()
    {
        Assert.Equal("Password=secret;x=$y", ComposeInterpolation.Apply("Password=${PG_PASSWORD:-secret};x=$$y"));
        Assert.Throws<FormatException>(() => ComposeInterpolation.Apply("Password=${PG_PASSWORD}"));
        Assert.Throws<FormatException>(() => ComposeInterpolation.Apply("Password=$PG_PASSWORD"));
    }

    [Fact]
    public void Merge_keys_supply_what_a_service_does_not_set_itself()
    {
        var compose = ComposeProject.Parse("""
            x-base: &base
              image: base:1
              stop_grace_period: 20s
            services:
              a:
                <<: *base
                image: own:2
                ports: ["127.0.0.1:8080:80", "9090"]
                environment: ["A=1", "B=x=y"]
            """);
        var a = compose.Services["a"];
        Assert.Equal("own:2", a.Image);
        Assert.Equal("20s", a.StopGracePeriod);
        Assert.Equal([new PortMapping("127.0.0.1", 8080, 80), new PortMapping(null, null, 9090)], a.Ports);
        Assert.Equal("x=y", a.Environment["B"]);
        Assert.Contains("stop_grace_period", YamlNodes.Load("a:\n  <<: {stop_grace_period: 1s}\n", "t").Child("a").Keys());
    }

    [Theory]
    [InlineData("20s", 20)]
    [InlineData("1m30s", 90)]
    [InlineData("1min 30s", 90)]
    [InlineData("15", 15)]
    [InlineData("500ms", 0.5)]
    public void Durations_read_compose_and_systemd_spellings(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Durations.Parse(text));

    [Fact]
    public void A_duration_with_an_unknown_unit_is_refused() =>
        Assert.Throws<FormatException>(() => Durations.Parse("20 fortnights"));

    [Fact]
    public void Environment_files_refuse_quotes_and_repeated_keys()
    {
        Assert.Equal("Host=a;Port=5", EnvironmentFile.Parse("# c\nORLEANSRAFT_PG=Host=a;Port=5\n")["ORLEANSRAFT_PG"]);
        Assert.Throws<FormatException>(() => EnvironmentFile.Parse("A=\"x\"\n"));
        Assert.Throws<FormatException>(() => EnvironmentFile.Parse("A=1\nA=2\n"));
    }

    [Fact]
    public void A_unit_keeps_every_value_of_a_key_and_the_last_one_wins()
    {
        var unit = SystemdUnit.Parse("[Service]\nEnvironment=A=1\nEnvironment=B=2\nRestart=always\nRestart=on-failure\n");
        Assert.Equal(["A=1", "B=2"], unit.All("Service", "Environment"));
        Assert.Equal("on-failure", unit.Get("Service", "Restart"));
        Assert.Throws<FormatException>(() => SystemdUnit.Parse("Restart=always\n"));
    }

    [Fact]
    public void Otel_names_translate_to_prometheus_names_with_underscores() =>
        Assert.Equal("raft_store_commit_latency", MetricConstant.Translate("raft.store.commit_latency"));
}
