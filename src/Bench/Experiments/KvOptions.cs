using System.Globalization;
using OrleansRaft.Bench.Cli;
using OrleansRaft.Bench.Targets;

namespace OrleansRaft.Bench.Experiments;

/// <summary>The options every key/value workload experiment (scale, mix, load) shares: targets, client shape, load shape.</summary>
public sealed record KvOptions(
    IReadOnlyList<TargetSpec> Targets,
    Version Http,
    int Connections,
    int Workers,
    double? Rate,
    TimeSpan Duration,
    TimeSpan Warmup,
    int Keys,
    int ValueBytes,
    TimeSpan Timeout,
    string SiloArguments)
{
    /// <summary>The option specs, with this experiment's defaults for the measured and warm-up seconds.</summary>
    public static OptionSpec[] Specs(double seconds, double warmup, int keys = 10_000) =>
    [
        new("target", "orleansraft", TargetSpec.Help, Repeatable: true),
        new("http", "1.1", "Client protocol: 1.1, or 2 (cleartext HTTP/2 with prior knowledge; the gateway's h2c port; etcd's JSON gateway stays on 1.1)."),
        new("connections", "64", "TCP connections to the target."),
        new("workers", "same as --connections", "Requests in flight: one worker per connection by default; with --http 2 more workers share (multiplex) the connections."),
        new("rate", "closed loop", "Open loop: a fixed arrival rate in operations/s over all connections (e.g. 2000 or 2000/s), each request timed from its intended start (coordinated omission corrected, as wrk2). Without it, closed loop."),
        new("seconds", seconds.ToString(CultureInfo.InvariantCulture), "Measured seconds of each point."),
        new("warmup", warmup.ToString(CultureInfo.InvariantCulture), "Unmeasured seconds of the same load before each point (JIT, connections, caches)."),
        new("keys", keys.ToString(CultureInfo.InvariantCulture), "Keys written first and then drawn uniformly."),
        new("value-bytes", "100", "Bytes of each value."),
        new("timeout-ms", "5000", "Client timeout of one request."),
        new("silo-args", "(none)", "Extra silo options for this project's targets, e.g. \"--tick-ms 5\"."),
    ];

    public static KvOptions Parse(Arguments arguments, double seconds, double warmup, int keys = 10_000)
    {
        var connections = arguments.Int("connections", 64, min: 1, max: 10_000);
        var rate = arguments.String("rate") is { } text ? ParseRate(text) : (double?)null;
        return new KvOptions(
            TargetSpec.Parse(arguments.All("target")),
            HttpConnections.ParseVersion(arguments.String("http") ?? "1.1"),
            connections,
            arguments.Int("workers", connections, min: 1, max: 100_000),
            rate,
            TimeSpan.FromSeconds(arguments.Declares("seconds") ? arguments.Double("seconds", seconds, min: 0.5) : seconds),
            TimeSpan.FromSeconds(arguments.Double("warmup", warmup, min: 0)),
            arguments.Int("keys", keys, min: 1, max: 10_000_000),
            arguments.Int("value-bytes", 100, min: 0, max: 1 << 20),
            TimeSpan.FromMilliseconds(arguments.Int("timeout-ms", 5000, min: 1)),
            arguments.String("silo-args") ?? "");
    }

    /// <summary>One line for the report: how the load was offered.</summary>
    /// <param name="timed">Points are timed windows (false: fixed operation counts).</param>
    public string Describe(bool timed = true) =>
        (Rate is { } rate ? $"open loop at {rate:N0} ops/s (latency from each request's intended start)" : "closed loop (latency from send)")
        + $", {Workers} workers on {Connections} connections, HTTP/{Http}, {ValueBytes}-byte values over {Keys:N0} keys"
        + (timed ? $", {Duration.TotalSeconds:0.#} s per point after {Warmup.TotalSeconds:0.#} s warm-up" : "");

    private static double ParseRate(string text)
    {
        var number = text.EndsWith("/s", StringComparison.OrdinalIgnoreCase) ? text[..^2] : text;
        return double.TryParse(number.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0
            ? rate
            : throw new UsageException($"--rate '{text}': expected operations per second, e.g. 2000 or 2000/s");
    }
}
