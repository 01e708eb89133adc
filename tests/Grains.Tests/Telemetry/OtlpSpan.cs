namespace OrleansRaft.Grains.Tests.Telemetry;

/// <summary>A span as an OTLP export carried it; ids in lower-case hex as <see cref="System.Diagnostics.ActivityTraceId.ToHexString"/>.</summary>
internal sealed record OtlpSpan(string Name, string TraceId, string SpanId, string ParentSpanId, IReadOnlyDictionary<string, object> Attributes, IReadOnlyDictionary<string, object> Resource)
{
    public override string ToString() =>
        $"{Name} {TraceId}/{SpanId} parent {ParentSpanId}: {string.Join(", ", Attributes.Select(a => $"{a.Key}={a.Value}"))} [{Resource.GetValueOrDefault("service.name")}]";
}
