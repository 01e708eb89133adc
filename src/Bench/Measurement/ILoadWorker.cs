namespace OrleansRaft.Bench.Measurement;

/// <summary>One closed-loop client: <see cref="LoadGenerator"/> calls it again as soon as the previous call returned.</summary>
public interface ILoadWorker
{
    /// <summary>One operation. Failures are results, not exceptions; an exception is counted as an error too.</summary>
    ValueTask<OperationResult> ExecuteAsync(CancellationToken cancellationToken);
}
