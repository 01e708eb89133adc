using OrleansRaft.Bench.Measurement;
using OrleansRaft.Bench.Targets;

namespace OrleansRaft.Bench.Experiments;

/// <summary>One connection's client of a key/value workload: Puts and linearizable Gets as <see cref="KvMix"/> says.</summary>
internal sealed class KvWorker(IKvClient client, KvMix mix, int index) : ILoadWorker
{
    private readonly Random random = new((index * 7919) + 1);

    public ValueTask<OperationResult> ExecuteAsync(long operation, CancellationToken cancellationToken)
    {
        string key;
        bool read;
        if (mix.Sequential)
        {
            key = mix.Keys[operation % mix.Keys.Length];
            read = mix.ReadPercent >= 100;
        }
        else
        {
            key = mix.Keys[random.Next(mix.Keys.Length)];
            read = mix.ReadPercent > 0 && random.Next(100) < mix.ReadPercent;
        }

        return read ? client.GetAsync(key, cancellationToken) : client.PutAsync(key, mix.Value, cancellationToken);
    }
}
