namespace OrleansRaft.Bench.Measurement;

/// <summary>
/// One client of a load run (one connection's worth of requests). Closed loop: <see cref="LoadGenerator"/> calls
/// it again as soon as the previous call returned. Open loop: at each of its slots on the schedule, or at once
/// when it is behind.
/// </summary>
public interface ILoadWorker
{
    /// <summary>One operation. Failures are results, not exceptions; an exception is counted as an error too.</summary>
    /// <param name="operation">The run's number for this operation, 0-based and unique across workers (open loop: its slot
    /// on the schedule); a fixed-count run hands out exactly 0 .. count-1.</param>
    ValueTask<OperationResult> ExecuteAsync(long operation, CancellationToken cancellationToken);
}
