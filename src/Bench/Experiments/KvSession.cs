using System.Net;
using OrleansRaft.Bench.Measurement;
using OrleansRaft.Bench.Targets;

namespace OrleansRaft.Bench.Experiments;

/// <summary>The client side of one running system: its connections, and the runs an experiment makes against it.</summary>
internal sealed class KvSession : IDisposable
{
    private readonly IKvSystem system;
    private readonly KvOptions options;
    private readonly HttpConnections connections;
    private readonly IKvClient[] clients;

    public KvSession(IKvSystem system, KvOptions options)
    {
        this.system = system;
        this.options = options;
        // etcd's JSON gateway answers HTTP/1.1 only (its cleartext HTTP/2 is gRPC).
        var version = options.Http == HttpVersion.Version20 && !system.SupportsHttp2 ? HttpVersion.Version11 : options.Http;
        connections = new HttpConnections(system.ClientAddress(version), version, options.Connections, options.Timeout);
        clients = [.. Enumerable.Range(0, options.Workers).Select(w => system.CreateClient(connections.For(w)))];
    }

    public string Http => $"{connections.Version.Major}{(connections.Version.Major == 1 ? ".1" : "")}";

    /// <summary>
    /// Writes every key once, closed loop and as fast as the workers go; the writes also warm up the path. Throws when
    /// more than a tenth fail; fewer failures are returned for the report.
    /// </summary>
    public async Task<LoadResult> PreloadAsync(string[] keys, byte[] value, CancellationToken cancellationToken)
    {
        var mix = new KvMix(keys, value, 0, Sequential: true);
        var result = await LoadGenerator.RunAsync(
            new LoadOptions { Workers = options.Workers, Operations = keys.Length, Label = $"{system.Name} ×{system.Nodes}: writing {keys.Length:N0} keys" },
            w => new KvWorker(clients[w], mix, w),
            cancellationToken);
        if (result.ErrorCount * 10 > keys.Length)
        {
            throw new InvalidOperationException($"{system.Name}: {result.ErrorCount} of {keys.Length} preload writes failed ({string.Join(", ", result.Errors.Select(e => $"{e.Key}: {e.Value}"))})");
        }

        // A few failed writes (timeouts on a loaded machine) only mean a few reads of those keys answer NotFound.
        return result;
    }

    /// <summary>A warm-up and a timed window of <paramref name="mix"/>, closed or open loop as the options say.</summary>
    public Task<KvMeasurement> MeasureAsync(KvMix mix, string phase, string label, CancellationToken cancellationToken) =>
        RunAsync(mix, phase, new LoadOptions { Workers = options.Workers, Duration = options.Duration, Warmup = options.Warmup, Rate = options.Rate, Label = label }, cancellationToken);

    /// <summary>Exactly <paramref name="count"/> operations (key n for operation n when the mix is sequential), all measured.</summary>
    public Task<KvMeasurement> CountAsync(KvMix mix, long count, string phase, string label, CancellationToken cancellationToken) =>
        RunAsync(mix, phase, new LoadOptions { Workers = options.Workers, Operations = count, Rate = options.Rate, Label = label }, cancellationToken);

    /// <summary>An unmeasured timed run, to settle the JIT and the connections.</summary>
    public async Task WarmUpAsync(KvMix mix, TimeSpan duration, CancellationToken cancellationToken)
    {
        if (duration > TimeSpan.Zero)
        {
            await LoadGenerator.RunAsync(
                new LoadOptions { Workers = options.Workers, Duration = duration, Warmup = TimeSpan.Zero, Label = $"{system.Name}: warm-up" },
                w => new KvWorker(clients[w], mix, w),
                cancellationToken);
        }
    }

    public void Dispose() => connections.Dispose();

    private async Task<KvMeasurement> RunAsync(KvMix mix, string phase, LoadOptions load, CancellationToken cancellationToken)
    {
        CpuSample? before = null, after = null;
        var result = await LoadGenerator.RunAsync(
            load with
            {
                OnWindowStart = () =>
                {
                    before = CpuSample.Take();
                    return Task.CompletedTask;
                },
                OnWindowEnd = () =>
                {
                    after = CpuSample.Take();
                    return Task.CompletedTask;
                },
            },
            w => new KvWorker(clients[w], mix, w),
            cancellationToken);
        var cpu = before is not null && after is not null ? CpuSplit.Between(before, after, system.ProcessIds()) : (CpuSplit?)null;
        return new KvMeasurement(system.Name, system.Nodes, mix.ReadPercent, phase, result, cpu, Http);
    }
}
