using System.Globalization;

namespace OrleansRaft.Bench.Reporting;

/// <summary>Invariant number formats for reports, so figures read the same on every machine.</summary>
public static class Format
{
    /// <summary>Microseconds as milliseconds with 2 decimals.</summary>
    public static string Ms(double microseconds) => (microseconds / 1000.0).ToString("F2", CultureInfo.InvariantCulture);

    public static string Count(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Fixed(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
