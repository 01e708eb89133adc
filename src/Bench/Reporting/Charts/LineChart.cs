using System.Globalization;
using System.Security;
using System.Text;

namespace OrleansRaft.Bench.Reporting.Charts;

/// <summary>
/// A line chart written as a small standalone SVG: title and subtitle, axes labelled with units, light grid, one
/// color per target (dashes tell apart two series of a target), a legend on the right. No chart package: a few
/// hundred elements of plain SVG that any browser or rsvg-convert renders.
/// </summary>
public sealed class LineChart
{
    // Okabe–Ito: colors that stay apart for color-blind readers and in grey print.
    private static readonly string[] Palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C564B"];

    private const double Width = 800;
    private const double Height = 450;
    private const double Left = 78;
    private const double Right = 600;
    private const double Top = 62;
    private const double Bottom = 385;

    public required string Title { get; init; }

    /// <summary>A second line under the title: what ran, on which machine.</summary>
    public string? Subtitle { get; init; }

    public required string XLabel { get; init; }

    public required string YLabel { get; init; }

    public AxisKind XAxis { get; init; } = AxisKind.Linear;

    /// <summary>Category axis: how a category value is labelled (e.g. 3 → "3 nodes").</summary>
    public Func<double, string>? CategoryLabel { get; init; }

    public List<ChartSeries> Series { get; } = [];

    public static string ColorOf(int index) => Palette[index % Palette.Length];

    public void Save(string path) => File.WriteAllText(path, ToSvg());

    public string ToSvg()
    {
        var points = Series.SelectMany(s => s.Points).ToList();
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"Helvetica, Arial, sans-serif\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"#ffffff\"/>\n");
        Text(svg, Left, 26, Title, 16, "start", bold: true);
        if (Subtitle is not null)
        {
            Text(svg, Left, 44, Subtitle, 11, "start", color: "#555555");
        }

        if (points.Count == 0)
        {
            Text(svg, (Left + Right) / 2, (Top + Bottom) / 2, "no data", 14, "middle", color: "#888888");
            return svg.Append("</svg>\n").ToString();
        }

        var (xOf, xTicks) = XMapping(points);
        var yTicks = NiceTicks.For(points.Min(p => p.Y), points.Max(p => p.Y));
        var (yMin, yMax) = (yTicks[0], yTicks[^1]);
        double YOf(double y) => Bottom - ((y - yMin) / (yMax - yMin) * (Bottom - Top));
        var yStep = yTicks.Count > 1 ? yTicks[1] - yTicks[0] : 1;

        svg.Append("<g stroke=\"#e3e3e3\" stroke-width=\"1\">\n");
        foreach (var y in yTicks)
        {
            Line(svg, Left, YOf(y), Right, YOf(y));
        }

        foreach (var (x, _) in xTicks)
        {
            Line(svg, xOf(x), Top, xOf(x), Bottom);
        }

        svg.Append("</g>\n");
        foreach (var y in yTicks)
        {
            Text(svg, Left - 8, YOf(y) + 4, Number(y, yStep), 12, "end");
        }

        foreach (var (x, label) in xTicks)
        {
            Text(svg, xOf(x), Bottom + 18, label, 12, "middle");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<path d=\"M{Left},{Top} V{Bottom} H{Right}\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1.2\"/>\n");
        Text(svg, (Left + Right) / 2, Bottom + 42, XLabel, 13, "middle");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"0\" font-size=\"13\" text-anchor=\"middle\" fill=\"#222222\" transform=\"translate(20,{F((Top + Bottom) / 2)}) rotate(-90)\">{SecurityElement.Escape(YLabel)}</text>\n");

        foreach (var series in Series.Where(s => s.Points.Count > 0))
        {
            var color = ColorOf(series.Color);
            var dash = series.Dashed ? " stroke-dasharray=\"7 4\"" : "";
            var path = new StringBuilder();
            var ordered = series.Points.OrderBy(p => p.X).ToList();
            if (series.Step)
            {
                path.Append(CultureInfo.InvariantCulture, $"M{F(xOf(ordered[0].X))},{F(YOf(0))}");
                foreach (var (x, y) in ordered)
                {
                    path.Append(CultureInfo.InvariantCulture, $" H{F(xOf(x))} V{F(YOf(y))}");
                }
            }
            else
            {
                for (var i = 0; i < ordered.Count; i++)
                {
                    path.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "M" : " L")}{F(xOf(ordered[i].X))},{F(YOf(ordered[i].Y))}");
                }
            }

            svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash} stroke-linejoin=\"round\"/>\n");
            if (series.Markers && !series.Step)
            {
                foreach (var (x, y) in ordered)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(xOf(x))}\" cy=\"{F(YOf(y))}\" r=\"3.2\" fill=\"{(series.Dashed ? "#ffffff" : color)}\" stroke=\"{color}\" stroke-width=\"1.5\"/>\n");
                }
            }
        }

        Legend(svg);
        return svg.Append("</svg>\n").ToString();
    }

    private void Legend(StringBuilder svg)
    {
        var x = Right + 22;
        var y = Top + 6;
        foreach (var series in Series)
        {
            var color = ColorOf(series.Color);
            var dash = series.Dashed ? " stroke-dasharray=\"7 4\"" : "";
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x)}\" y1=\"{F(y)}\" x2=\"{F(x + 26)}\" y2=\"{F(y)}\" stroke=\"{color}\" stroke-width=\"2.5\"{dash}/>\n");
            var lines = Wrap(series.Name, 24);
            for (var i = 0; i < lines.Count; i++)
            {
                Text(svg, x + 34, y + 4 + (i * 14), lines[i], 12, "start");
            }

            y += 10 + (lines.Count * 14);
        }
    }

    private (Func<double, double> XOf, IReadOnlyList<(double Value, string Label)> Ticks) XMapping(List<(double X, double Y)> points)
    {
        switch (XAxis)
        {
            case AxisKind.Percentile:
            {
                static double Position(double p) => Math.Log10(1 / (1 - (Math.Min(p, 99.999) / 100)));
                var marks = new[] { 0, 50, 90, 99, 99.9, 99.99, 99.999 };
                var top = Math.Max(2, Math.Ceiling(points.Max(p => Position(p.X))));
                var ticks = marks.Where(m => Position(m) <= top + 1e-9).Select(m => (m, m.ToString(CultureInfo.InvariantCulture) + "%")).ToList();
                return (p => Left + (Position(p) / top * (Right - Left)), ticks);
            }

            case AxisKind.Category:
            {
                var categories = points.Select(p => p.X).Distinct().Order().ToList();
                var step = (Right - Left) / categories.Count;
                var label = CategoryLabel ?? (v => v.ToString(CultureInfo.InvariantCulture));
                return (x => Left + ((categories.IndexOf(x) + 0.5) * step), categories.Select(c => (c, label(c))).ToList());
            }

            default:
            {
                var ticks = NiceTicks.For(points.Min(p => p.X), points.Max(p => p.X), 6);
                var (min, max) = (ticks[0], ticks[^1]);
                var tickStep = ticks.Count > 1 ? ticks[1] - ticks[0] : 1;
                return (x => Left + ((x - min) / (max - min) * (Right - Left)), ticks.Select(t => (t, Number(t, tickStep))).ToList());
            }
        }
    }

    private static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var current = "";
        foreach (var word in text.Split(' '))
        {
            if (current.Length > 0 && current.Length + 1 + word.Length > width)
            {
                lines.Add(current);
                current = word;
            }
            else
            {
                current = current.Length == 0 ? word : current + " " + word;
            }
        }

        lines.Add(current);
        return lines;
    }

    private static string Number(double value, double step) =>
        step >= 1 || value == 0 ? value.ToString("#,0", CultureInfo.InvariantCulture) : value.ToString(step >= 0.1 ? "0.0" : "0.00", CultureInfo.InvariantCulture);

    private static void Line(StringBuilder svg, double x1, double y1, double x2, double y2) =>
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x1)}\" y1=\"{F(y1)}\" x2=\"{F(x2)}\" y2=\"{F(y2)}\"/>\n");

    private static void Text(StringBuilder svg, double x, double y, string text, int size, string anchor, bool bold = false, string color = "#222222") =>
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{F(y)}\" font-size=\"{size}\" text-anchor=\"{anchor}\" fill=\"{color}\"{(bold ? " font-weight=\"bold\"" : "")}>{SecurityElement.Escape(text)}</text>\n");

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
