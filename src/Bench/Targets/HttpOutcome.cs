using OrleansRaft.Bench.Measurement;

namespace OrleansRaft.Bench.Targets;

/// <summary>How the HTTP clients name failures: "HTTP 503", "timeout", "connection".</summary>
internal static class HttpOutcome
{
    public static OperationResult Status(string kind, System.Net.HttpStatusCode status) =>
        OperationResult.Failure(kind, $"HTTP {(int)status}");

    /// <summary>An exception of a request as a failure; rethrows the run's own cancellation.</summary>
    public static OperationResult FromException(string kind, Exception e, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return e switch
        {
            TaskCanceledException => OperationResult.Failure(kind, "timeout"),
            HttpRequestException => OperationResult.Failure(kind, "connection"),
            _ => OperationResult.Failure(kind, e.GetType().Name),
        };
    }
}
