using System.Diagnostics;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Grains.Telemetry;
using OrleansRaft.Testing.Telemetry;

namespace OrleansRaft.Grains.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class ReplicationTraceTests
{
    private const string ClientSource = "OrleansRaft.Tests.Client";

    [Fact]
    public async Task A_write_is_one_trace_from_the_caller_through_the_leader_to_every_followers_store_write_and_apply()
    {
        using var spans = new SpanRecorder(RaftTelemetry.ReplicaSourceName, ClientSource);
        using var client = new ActivitySource(ClientSource);
        await using var network = await TracingNetwork.StartAsync(3);
        var leaderId = await network.ElectAsync();
        var leader = network[leaderId];
        // Followers learn that the leader's no-op committed, so the write's entry is applied on its own.
        network.Time.Advance(TimeSpan.FromMilliseconds(30));
        await network.SettleAsync();

        Task<KvResponse> put;
        ActivityContext caller;
        using (var request = client.StartActivity("client put")!)
        {
            caller = request.Context;
            // The grain takes the caller's span when the write is queued, as the silo's request span is taken.
            put = leader.Put("k", "v"u8.ToArray(), null, CancellationToken.None);
        }

        var response = await network.RunAsync(put);
        Assert.Equal(KvStatus.Ok, response.Status);
        network.Time.Advance(TimeSpan.FromMilliseconds(30));
        await network.SettleAsync();

        var trace = spans.Stopped.Where(a => a.TraceId == caller.TraceId).ToList();
        var describe = SpanTags.Describe(trace);
        var replicate = Assert.Single(trace, a => a.OperationName == RaftTelemetry.ReplicateSpan);
        Assert.Equal(caller.SpanId, replicate.ParentSpanId);
        Assert.Equal((leaderId, 1L, response.Index, response.Index), (replicate.Long(RaftTelemetry.NodeAttribute), replicate.Long(RaftTelemetry.EntriesAttribute), replicate.Long(RaftTelemetry.FirstIndexAttribute), replicate.Long(RaftTelemetry.LastIndexAttribute)));
        Assert.Equal(RaftTelemetry.Committed, replicate.String(RaftTelemetry.ReplicateOutcomeAttribute));
        Assert.InRange(replicate.Long(RaftTelemetry.FollowersAckedAttribute), 1, 2);
        Assert.True(replicate.Long(RaftTelemetry.BytesAttribute) > 0);

        // Every node's store write of the entry, and its apply, are in the caller's trace under the batch.
        foreach (var node in new long[] { 1, 2, 3 })
        {
            var persist = trace.Where(a => a.OperationName == RaftTelemetry.PersistSpan && a.Long(RaftTelemetry.NodeAttribute) == node).ToList();
            Assert.True(persist.Count == 1, $"node {node}: one raft.persist in the trace expected:{Environment.NewLine}{describe}");
            Assert.Equal(replicate.SpanId, persist[0].ParentSpanId);
            Assert.Equal(response.Index, persist[0].Long(RaftTelemetry.LastIndexAttribute));

            var apply = trace.Where(a => a.OperationName == RaftTelemetry.ApplySpan && a.Long(RaftTelemetry.NodeAttribute) == node).ToList();
            Assert.True(apply.Count >= 1, $"node {node}: raft.apply in the trace expected:{Environment.NewLine}{describe}");
            Assert.All(apply, a => Assert.Equal(replicate.SpanId, a.ParentSpanId));
        }
    }
}
