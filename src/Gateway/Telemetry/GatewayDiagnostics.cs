using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using OrleansRaft.Grains.Telemetry;

namespace OrleansRaft.Gateway.Telemetry;

/// <summary>
/// The gateway's <c>kv.request</c> span and request-duration histogram. With nobody listening a route's handler
/// runs as it is, without a wrapper. HttpClient carries the span's context to the silo as a traceparent header.
/// </summary>
internal static class GatewayDiagnostics
{
    public static readonly ActivitySource Source = new(RaftTelemetry.GatewaySourceName);

    public static readonly Meter Meter = new(RaftTelemetry.GatewayMeterName);

    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram(
        RaftTelemetry.GatewayRequestDurationMetric,
        "s",
        "Gateway request duration by http.route, http.request.method and http.response.status_code.",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = RaftTelemetry.DurationBucketsSeconds });

    /// <summary>Runs <paramref name="handler"/>, timed, and for a key/value <paramref name="operation"/> inside a kv.request span.</summary>
    public static Task Track(HttpContext context, string route, string? operation, Func<HttpContext, Task> handler) =>
        RequestDuration.Enabled || (operation is not null && Source.HasListeners())
            ? TrackAsync(context, route, operation, handler)
            : handler(context);

    /// <summary>The kv.request span of the request being handled, for the handler's own attributes; null when none.</summary>
    public static Activity? CurrentSpan => Activity.Current is { } activity && ReferenceEquals(activity.Source, Source) ? activity : null;

    private static async Task TrackAsync(HttpContext context, string route, string? operation, Func<HttpContext, Task> handler)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = operation is null ? null : Source.StartActivity(RaftTelemetry.KvRequestSpan);
        activity?.SetTag(RaftTelemetry.KvOperationAttribute, operation).SetTag(RaftTelemetry.HttpRouteAttribute, route);
        try
        {
            await handler(context);
        }
        finally
        {
            var status = context.Response.StatusCode;
            if (activity is not null)
            {
                activity.SetTag(RaftTelemetry.HttpStatusAttribute, status);
                if (status >= StatusCodes.Status500InternalServerError)
                {
                    activity.SetStatus(ActivityStatusCode.Error);
                }
            }

            if (RequestDuration.Enabled)
            {
                RequestDuration.Record(
                    Stopwatch.GetElapsedTime(started).TotalSeconds,
                    new KeyValuePair<string, object?>(RaftTelemetry.HttpRouteAttribute, route),
                    new KeyValuePair<string, object?>(RaftTelemetry.HttpMethodAttribute, context.Request.Method),
                    new KeyValuePair<string, object?>(RaftTelemetry.HttpStatusAttribute, status));
            }
        }
    }
}
