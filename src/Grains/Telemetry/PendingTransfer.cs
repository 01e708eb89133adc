using System.Diagnostics;

namespace OrleansRaft.Grains.Telemetry;

/// <summary>A leadership transfer this leader began, with the ticks it has been running.</summary>
internal sealed class PendingTransfer(long to, Activity activity)
{
    public long To { get; } = to;

    public Activity Activity { get; } = activity;

    public int Ticks { get; set; }
}
