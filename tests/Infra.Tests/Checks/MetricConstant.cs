namespace OrleansRaft.Infra.Tests.Checks;

/// <summary>
/// A hidden constant variable of a dashboard that names a metric (m_*) or a label (l_*): its label is the
/// OpenTelemetry name, its value the Prometheus name the panels use through <c>${Variable}</c>.
/// </summary>
public sealed record MetricConstant(string Variable, string OtelName, string PrometheusName)
{
    public bool IsLabel => Variable.StartsWith("l_", StringComparison.Ordinal);

    /// <summary>What the collector's Prometheus exporter makes of an OTel name with add_metric_suffixes off.</summary>
    public static string Translate(string otelName) =>
        string.Concat(otelName.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_'));
}
