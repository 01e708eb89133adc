using System.Diagnostics;
using System.Net;
using OrleansRaft.Gateway.Tests.Infrastructure;
using OrleansRaft.Grains.Telemetry;
using OrleansRaft.Testing.Telemetry;
using Xunit.Abstractions;

namespace OrleansRaft.Gateway.Tests.Telemetry;

/// <summary>
/// The gateway in front of three real silos in this process (HTTP/2 between them), with listeners as an
/// exporter would have them. Listeners see the whole process, so these tests run alone.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class GatewayTelemetryTests : IClassFixture<ClusterFixture>
{
    private readonly ClusterFixture fixture;

    public GatewayTelemetryTests(ClusterFixture fixture, ITestOutputHelper output)
    {
        this.fixture = fixture;
        fixture.Sink.Output = output;
    }

    [Fact]
    public async Task One_client_write_is_one_trace_through_the_gateway_the_leader_and_every_followers_store_write()
    {
        // Steady state first: a follower still being probed after the election gets the entry in an untraced resend,
        // and its persist then belongs to no write's trace. One write that every replica applied ends the probing.
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client.PutAsync($"/v1/kv/warm-{Guid.NewGuid():N}", new ByteArrayContent("w"u8.ToArray()))).StatusCode);
        await Testing.Polling.Eventually.HoldsAsync(AllAppliedAsync, TimeSpan.FromSeconds(15), () => "the replicas did not all apply the warm-up write");

        using var spans = new SpanRecorder(RaftTelemetry.GatewaySourceName, RaftTelemetry.ReplicaSourceName, RaftTelemetry.AspNetCoreSourceName, RaftTelemetry.HttpClientSourceName);
        var key = $"traced-{Guid.NewGuid():N}";
        var put = await fixture.Client.PutAsync($"/v1/kv/{key}", new ByteArrayContent("v"u8.ToArray()));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var request = await Eventually(() => spans.Named(RaftTelemetry.KvRequestSpan).SingleOrDefault(a => a.String(RaftTelemetry.KvOperationAttribute) == "put"), "no kv.request span");
        Assert.Equal((GatewayApp.KvRoute, 200L, "Ok", false), (request.String(RaftTelemetry.HttpRouteAttribute), request.Long(RaftTelemetry.HttpStatusAttribute), request.String(RaftTelemetry.KvStatusAttribute), request.Bool(RaftTelemetry.KvIdempotentAttribute)));

        // A follower may write the entry after the leader answered, and the leader silo's request span ends after
        // its response left: wait for all of them.
        var trace = await Eventually(
            () =>
            {
                var inTrace = spans.Stopped.Where(a => a.TraceId == request.TraceId).ToList();
                var persisted = inTrace.Where(a => a.OperationName == RaftTelemetry.PersistSpan).Select(a => a.Long(RaftTelemetry.NodeAttribute)).Distinct().Count();
                var replicate = inTrace.FirstOrDefault(a => a.OperationName == RaftTelemetry.ReplicateSpan);
                return persisted == 3 && replicate is not null && inTrace.Any(a => a.SpanId == replicate.ParentSpanId) ? inTrace : null;
            },
            "not every node's raft.persist, or not the leader silo's request span, joined the write's trace");
        var persists = trace.Where(a => a.OperationName == RaftTelemetry.PersistSpan).ToList();
        var replicate = Assert.Single(trace, a => a.OperationName == RaftTelemetry.ReplicateSpan);
        var leader = replicate.Long(RaftTelemetry.NodeAttribute);
        Assert.All(persists.Where(a => a.Long(RaftTelemetry.NodeAttribute) != leader), a => Assert.Equal(replicate.SpanId, a.ParentSpanId));

        // The chain: kv.request → HttpClient → the leader silo's server span → raft.replicate.
        var server = Assert.Single(trace, a => a.SpanId == replicate.ParentSpanId);
        Assert.Equal(ActivityKind.Server, server.Kind);
        var outgoing = Assert.Single(trace, a => a.SpanId == server.ParentSpanId);
        Assert.Equal((ActivityKind.Client, request.SpanId), (outgoing.Kind, outgoing.ParentSpanId));
    }

    [Fact]
    public async Task Request_durations_are_measured_by_route_method_and_status()
    {
        using var metrics = new MetricRecorder(RaftTelemetry.GatewayMeterName);
        var key = $"measured-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client.PutAsync($"/v1/kv/{key}", new ByteArrayContent("v"u8.ToArray()))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client.GetAsync($"/v1/kv/absent-{key}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client.GetAsync("/v1/cluster")).StatusCode);

        var durations = metrics.Named(RaftTelemetry.GatewayRequestDurationMetric);
        Assert.Contains(durations, m => Is(m, GatewayApp.KvRoute, "PUT", 200));
        Assert.Contains(durations, m => Is(m, GatewayApp.KvRoute, "GET", 404));
        Assert.Contains(durations, m => Is(m, GatewayApp.ClusterRoute, "GET", 200));
        Assert.All(durations, m => Assert.InRange(m.Value, 0, 60));
    }

    private static bool Is(RecordedMeasurement measurement, string route, string method, int status) =>
        measurement.TagText(RaftTelemetry.HttpRouteAttribute) == route
        && measurement.TagText(RaftTelemetry.HttpMethodAttribute) == method
        && measurement.Tag(RaftTelemetry.HttpStatusAttribute) == status;

    private async Task<bool> AllAppliedAsync()
    {
        using var cluster = System.Text.Json.JsonDocument.Parse(await fixture.Client.GetStringAsync("/v1/cluster"));
        var nodes = cluster.RootElement.GetProperty("nodes").EnumerateArray().ToList();
        var commits = nodes.Select(n => n.GetProperty("commitIndex").GetInt64()).ToList();
        return nodes.All(n => n.GetProperty("reachable").GetBoolean())
            && nodes.All(n => n.GetProperty("appliedIndex").GetInt64() == commits.Max());
    }

    private static async Task<T> Eventually<T>(Func<T?> find, string failure)
        where T : class
    {
        T? found = null;
        await Testing.Polling.Eventually.HoldsAsync(() => (found = find()) is not null, TimeSpan.FromSeconds(15), () => failure);
        return found!;
    }
}
