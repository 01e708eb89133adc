using System.Globalization;

namespace OrleansRaft.Testing.Telemetry;

/// <summary>One measurement a <see cref="MetricRecorder"/> saw.</summary>
public sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    /// <summary>The integer value of tag <paramref name="name"/>, or null when absent.</summary>
    public long? Tag(string name) => Tags.TryGetValue(name, out var value) && value is not null and not string ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : null;

    public string? TagText(string name) => Tags.TryGetValue(name, out var value) ? value as string : null;

    public override string ToString() => $"{Instrument}={Value} {{{string.Join(", ", Tags.Select(t => $"{t.Key}={t.Value}"))}}}";
}
