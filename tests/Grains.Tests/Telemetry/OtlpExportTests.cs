using System.Diagnostics;
using OrleansRaft.Grains.Hosting;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Grains.Telemetry;
using OrleansRaft.Grains.Tests.Silo;
using OrleansRaft.Testing.Polling;
using OrleansRaft.Testing.Processes;
using OrleansRaft.Testing.Silos;
using Xunit.Abstractions;

namespace OrleansRaft.Grains.Tests.Telemetry;

/// <summary>
/// Three real silos in this process (Kestrel, HTTP/2 peer transport, in-memory logs) export over OTLP to a
/// receiver in the test. Each silo's providers listen process-wide, so every span arrives once per silo.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class OtlpExportTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(OtlpProtocol.HttpProtobuf)]
    [InlineData(OtlpProtocol.Grpc)]
    public async Task Silos_export_their_elections_a_writes_trace_across_every_node_and_the_replica_metrics(OtlpProtocol protocol)
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var telemetry = new TelemetryOptions
        {
            Endpoint = protocol == OtlpProtocol.Grpc ? receiver.GrpcEndpoint : receiver.HttpEndpoint,
            Protocol = protocol,
            ServiceName = "otlp-test-silo",
            ResourceAttributes = new Dictionary<string, string> { ["deployment.environment"] = "test" },
            TraceExportDelayMs = 100,
            MetricExportIntervalMs = 300,
        };
        var ports = new Dictionary<long, int> { [1] = FreePort.Next(), [2] = FreePort.Next(), [3] = FreePort.Next() };
        var silos = await Task.WhenAll(ports.Keys.Select(id => TestSilo.StartAsync(
            TestSilo.OptionsFor(id, ports) with { Telemetry = telemetry },
            prefix => new TestOutputLoggerProvider(output, prefix))));
        try
        {
            var (leader, term) = await AgreedLeaderAsync(silos);

            await Eventually.HoldsAsync(
                () => receiver.Spans.Any(s => IsWon(s, leader.NodeId, term)),
                Deadline,
                () => $"no won raft.election of node {leader.NodeId} term {term} exported; got:{Environment.NewLine}{string.Join(Environment.NewLine, receiver.Spans.Where(s => s.Name == RaftTelemetry.ElectionSpan))}");
            var won = receiver.Spans.First(s => IsWon(s, leader.NodeId, term));
            Assert.Equal(1L, won.Attributes[RaftTelemetry.GroupAttribute]);
            Assert.Equal(2L, won.Attributes[RaftTelemetry.VotesNeededAttribute]);
            Assert.False((bool)won.Attributes[RaftTelemetry.PreVoteAttribute]);
            Assert.Equal(RaftTelemetry.ElectionTimeoutReason, won.Attributes[RaftTelemetry.ReasonAttribute]);
            Assert.Equal("otlp-test-silo", won.Resource["service.name"]);
            Assert.Equal("test", won.Resource["deployment.environment"]);

            // A client span around one write: HttpClient carries it to the leader as traceparent, the peer frames
            // carry it on, and every node's store write lands in the same trace.
            var client = new Activity("test client write");
            client.ActivityTraceFlags = ActivityTraceFlags.Recorded;
            client.Start();
            KvResponse put;
            try
            {
                put = await leader.Client.Put("traced", "value"u8.ToArray(), new ClientRequest("otlp-test", 1, 1), CancellationToken.None);
            }
            finally
            {
                client.Stop();
            }

            Assert.Equal(KvStatus.Ok, put.Status);
            var traceId = client.TraceId.ToHexString();
            var clientSpanId = client.SpanId.ToHexString();
            // The HTTP spans end after the replica's (the response goes out last), so they may come in a later export.
            await Eventually.HoldsAsync(
                () => Enumerable.Range(1, 3).All(node => receiver.Spans.Any(s => s.TraceId == traceId && s.Name == RaftTelemetry.PersistSpan && Equals(s.Attributes.GetValueOrDefault(RaftTelemetry.NodeAttribute), (long)node)))
                    && receiver.Spans.Where(s => s.ParentSpanId == clientSpanId).Any(outgoing => receiver.Spans.Any(s => s.ParentSpanId == outgoing.SpanId)),
                Deadline,
                () => $"not every node's raft.persist, or not the HTTP spans, in trace {traceId}; the trace so far:{Environment.NewLine}{string.Join(Environment.NewLine, receiver.Spans.Where(s => s.TraceId == traceId).DistinctBy(s => s.SpanId))}");
            var trace = receiver.Spans.Where(s => s.TraceId == traceId).DistinctBy(s => s.SpanId).ToList();
            var replicate = Assert.Single(trace, s => s.Name == RaftTelemetry.ReplicateSpan);
            Assert.Equal(leader.NodeId, replicate.Attributes[RaftTelemetry.NodeAttribute]);
            Assert.All(trace.Where(s => s.Name == RaftTelemetry.PersistSpan && !Equals(s.Attributes[RaftTelemetry.NodeAttribute], leader.NodeId)), s => Assert.Equal(replicate.SpanId, s.ParentSpanId));
            // The HttpClient span is the client's child, and the silo's server span continues it.
            var outgoing = Assert.Single(trace, s => s.ParentSpanId == clientSpanId);
            Assert.Contains(trace, s => s.ParentSpanId == outgoing.SpanId);

            await Eventually.HoldsAsync(
                () => new[] { RaftTelemetry.TermMetric, RaftTelemetry.RoleMetric, RaftTelemetry.CommitIndexMetric, RaftTelemetry.StoreCommitDurationMetric, RaftTelemetry.ElectionsWonMetric }.All(receiver.Metrics.Contains),
                Deadline,
                () => $"metrics exported so far: {string.Join(", ", receiver.Metrics.Distinct())}");
            Assert.All(receiver.Protocols, p => Assert.Equal(protocol == OtlpProtocol.Grpc ? "grpc" : "http/protobuf", p));
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    private static bool IsWon(OtlpSpan span, long node, long term) =>
        span.Name == RaftTelemetry.ElectionSpan
        && Equals(span.Attributes.GetValueOrDefault(RaftTelemetry.OutcomeAttribute), RaftTelemetry.Won)
        && Equals(span.Attributes.GetValueOrDefault(RaftTelemetry.NodeAttribute), node)
        && Equals(span.Attributes.GetValueOrDefault(RaftTelemetry.TermAttribute), term);

    private static async Task<(TestSilo Leader, long Term)> AgreedLeaderAsync(IReadOnlyList<TestSilo> silos)
    {
        (TestSilo, long)? found = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                var statuses = new List<ReplicaStatus>();
                foreach (var silo in silos)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    try
                    {
                        statuses.Add(await silo.Client.Status(timeout.Token));
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                    {
                        return false;
                    }
                }

                var leaders = statuses.Where(s => s.Role == "leader").ToList();
                if (leaders.Count != 1 || statuses.Any(s => s.Leader != leaders[0].NodeId || s.Term != leaders[0].Term))
                {
                    return false;
                }

                found = (silos.Single(s => s.NodeId == leaders[0].NodeId), leaders[0].Term);
                return true;
            },
            Deadline,
            () => "no agreed leader");
        return found!.Value;
    }
}
