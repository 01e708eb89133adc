using System.Text.RegularExpressions;

namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>Durations as compose (<c>1m30s</c>) and systemd (<c>20s</c>, <c>1min 30s</c>, a bare number of seconds) write them.</summary>
public static partial class Durations
{
    public static TimeSpan Parse(string text)
    {
        var trimmed = text.Trim();
        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        var parts = Part().Matches(trimmed);
        if (parts.Count == 0 || string.Concat(parts.Select(p => p.Value)).Replace(" ", string.Empty, StringComparison.Ordinal) != trimmed.Replace(" ", string.Empty, StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}' is not a duration such as 20s or 1m30s");
        }

        return parts.Aggregate(TimeSpan.Zero, (total, part) =>
        {
            var value = double.Parse(part.Groups["value"].Value, CultureInfo.InvariantCulture);
            return total + part.Groups["unit"].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" or "sec" => TimeSpan.FromSeconds(value),
                "m" or "min" => TimeSpan.FromMinutes(value),
                "h" => TimeSpan.FromHours(value),
                var unit => throw new FormatException($"'{text}': unknown unit '{unit}'"),
            };
        });
    }

    [GeneratedRegex(@"(?<value>\d+(\.\d+)?)\s*(?<unit>ms|min|sec|s|m|h)")]
    private static partial Regex Part();
}
