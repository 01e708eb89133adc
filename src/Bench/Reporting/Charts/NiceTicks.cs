namespace OrleansRaft.Bench.Reporting.Charts;

/// <summary>Round tick values for a linear axis: steps of 1, 2 or 5 times a power of ten.</summary>
public static class NiceTicks
{
    /// <summary>About <paramref name="target"/> ticks from 0 (or below, for negative data) to a round top at or above <paramref name="max"/>.</summary>
    public static IReadOnlyList<double> For(double min, double max, int target = 5)
    {
        min = Math.Min(0, min);
        if (max <= min)
        {
            max = min + 1;
        }

        var rough = (max - min) / target;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = new[] { 1.0, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= rough);
        var first = Math.Floor(min / step) * step;
        var ticks = new List<double>();
        for (var value = first; value < max + (step / 2); value += step)
        {
            ticks.Add(Math.Round(value / step) * step);
        }

        if (ticks[^1] < max)
        {
            ticks.Add(ticks[^1] + step);
        }

        return ticks;
    }
}
