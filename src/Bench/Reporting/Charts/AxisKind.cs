namespace OrleansRaft.Bench.Reporting.Charts;

/// <summary>How an axis maps values to positions.</summary>
public enum AxisKind
{
    /// <summary>Evenly spaced, from 0 (or the smallest value when negative) to a round number above the largest.</summary>
    Linear,

    /// <summary>
    /// Percentiles spread as HdrHistogram plots them: position log10(1 / (1 - p/100)), so 90, 99, 99.9 and 99.99
    /// are equally far apart and the tail gets the room.
    /// </summary>
    Percentile,

    /// <summary>The values are categories placed at equal steps in the order first seen (node counts, read shares).</summary>
    Category,
}
