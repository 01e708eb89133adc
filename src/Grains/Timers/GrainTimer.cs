namespace OrleansRaft.Grains.Timers;

/// <summary>
/// A periodic callback made from an injected <see cref="TimeProvider"/> (as Orleans' grain timers), so tests
/// drive it with a manual clock. The callback only posts to the grain's mailbox; it never runs grain code.
/// </summary>
internal sealed class GrainTimer(TimeProvider time, TimeSpan period, Action callback) : IDisposable
{
    private readonly ITimer timer = time.CreateTimer(_ => callback(), null, period, period);

    public void Dispose() => timer.Dispose();
}
