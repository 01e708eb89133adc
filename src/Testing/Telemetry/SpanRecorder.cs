using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrleansRaft.Testing.Telemetry;

/// <summary>
/// An <see cref="ActivityListener"/> that records every span of the named sources, all data and recorded, as an
/// exporter would see them. Listeners are process-wide: a test using one must not run beside other tests that
/// make the same spans.
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener listener;
    private readonly ConcurrentQueue<Activity> stopped = new();

    public SpanRecorder(params string[] sources)
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>Spans ended so far, in the order they ended.</summary>
    public IReadOnlyList<Activity> Stopped => [.. stopped];

    public IReadOnlyList<Activity> Named(string name) => [.. stopped.Where(a => a.OperationName == name)];

    public void Dispose() => listener.Dispose();
}
