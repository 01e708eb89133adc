namespace OrleansRaft.Testing.Time;

internal sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
{
    private TimeSpan period = Timeout.InfiniteTimeSpan;

    /// <summary>When this timer fires next, or null when stopped.</summary>
    public DateTimeOffset? DueAt { get; private set; }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        this.period = period;
        DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner.Now + dueTime;
        owner.Schedule(this);
        return true;
    }

    /// <summary>Called under the provider's lock: move to the next period or stop.</summary>
    internal void Fired()
    {
        DueAt = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : DueAt + period;
        owner.Schedule(this);
    }

    internal void Invoke() => callback(state);

    public void Dispose()
    {
        DueAt = null;
        owner.Schedule(this);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
