using System.Collections.Concurrent;
using OrleansRaft.Bench.Measurement;

namespace OrleansRaft.Bench.Experiments;

/// <summary>The selftest's workload for coordinated omission: about 1 ms per call, except through a <see cref="FakeStall"/>.</summary>
internal sealed class StallingWorker(FakeStall stall, ConcurrentDictionary<long, int>? seen = null) : ILoadWorker
{
    public async ValueTask<OperationResult> ExecuteAsync(long operation, CancellationToken cancellationToken)
    {
        seen?.AddOrUpdate(operation, 1, (_, n) => n + 1);
        await Task.Delay(1, cancellationToken);
        await stall.WaitOutAsync(cancellationToken);
        return OperationResult.Success("fake");
    }
}
