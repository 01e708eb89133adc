namespace OrleansRaft.Bench.Reporting.Charts;

/// <summary>One line of a chart: its legend name, its points in data units, and how it is drawn.</summary>
/// <param name="Color">Index into the palette; series of one target share a color.</param>
/// <param name="Dashed">Drawn dashed (e.g. reads next to solid writes, or p50 next to p99).</param>
/// <param name="Step">Drawn as a staircase (a CDF) instead of straight segments.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, int Color, bool Dashed = false, bool Step = false, bool Markers = true);
