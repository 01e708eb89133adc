using System.Diagnostics;
using System.Globalization;

namespace OrleansRaft.Testing.Telemetry;

/// <summary>Typed reads of span attributes for assertions.</summary>
public static class SpanTags
{
    public static long Long(this Activity activity, string name) =>
        activity.GetTagItem(name) is { } value ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : throw new KeyNotFoundException($"{activity.OperationName} has no attribute {name}");

    public static bool Bool(this Activity activity, string name) =>
        activity.GetTagItem(name) is bool value ? value : throw new KeyNotFoundException($"{activity.OperationName} has no boolean attribute {name}");

    public static string? String(this Activity activity, string name) => activity.GetTagItem(name) as string;

    /// <summary>One line per span with its attributes, for failure messages.</summary>
    public static string Describe(IEnumerable<Activity> activities) =>
        string.Join(Environment.NewLine, activities.Select(a => $"{a.OperationName} {a.TraceId}/{a.SpanId} parent {a.ParentSpanId}: {string.Join(", ", a.TagObjects.Select(t => $"{t.Key}={t.Value}"))}"));
}
