namespace OrleansRaft.Testing.Time;

/// <summary>
/// A clock that moves only when a test calls <see cref="Advance"/>; timers due by then fire in due-time order on
/// the caller's thread. (Microsoft.Extensions.TimeProvider.Testing does not restore here.)
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<ManualTimer> timers = [];
    private DateTimeOffset now = start;

    public ManualTimeProvider()
        : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
        {
            return now;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way, earliest first.</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (gate)
        {
            target = now + by;
        }

        while (true)
        {
            ManualTimer? next;
            lock (gate)
            {
                next = timers.Where(t => t.DueAt <= target).MinBy(t => t.DueAt);
                if (next is null)
                {
                    now = target;
                    return;
                }

                now = next.DueAt!.Value;
                next.Fired();
            }

            next.Invoke();
        }
    }

    internal void Schedule(ManualTimer timer)
    {
        lock (gate)
        {
            timers.Remove(timer);
            if (timer.DueAt is not null)
            {
                timers.Add(timer);
            }
        }
    }

    internal DateTimeOffset Now
    {
        get
        {
            lock (gate)
            {
                return now;
            }
        }
    }
}
