using OrleansRaft.Bench.Measurement;

namespace OrleansRaft.Bench.Experiments;

/// <summary>The selftest's workload: each call takes about 1 ms, and every 10th fails.</summary>
internal sealed class FakeWorker : ILoadWorker
{
    private long calls;

    public async ValueTask<OperationResult> ExecuteAsync(long operation, CancellationToken cancellationToken)
    {
        await Task.Delay(1, cancellationToken);
        return ++calls % 10 == 0 ? OperationResult.Failure("fake", "Boom") : OperationResult.Success("fake");
    }
}
