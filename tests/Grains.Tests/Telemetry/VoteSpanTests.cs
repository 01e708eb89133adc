using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansRaft.Grains.Storage;
using OrleansRaft.Grains.Telemetry;
using OrleansRaft.Raft.Messages;
using OrleansRaft.Testing.Telemetry;
using OrleansRaft.Testing.Time;

namespace OrleansRaft.Grains.Tests.Telemetry;

/// <summary>One voter fed vote requests by hand (its clock never moves, so it never campaigns itself).</summary>
[Collection(TelemetryCollection.Name)]
public sealed class VoteSpanTests
{
    [Fact]
    public async Task Every_vote_request_is_a_span_saying_granted_or_why_not()
    {
        using var spans = new SpanRecorder(RaftTelemetry.ReplicaSourceName);
        var transport = new RecordingTransport();
        await using var voter = new RaftReplicaGrain(
            new ReplicaOptions { NodeId = 1, InitialVoters = [1, 2, 3], Seed = 1 },
            new InMemoryLogStore(),
            transport,
            new ManualTimeProvider(),
            NullLogger.Instance);
        await voter.StartAsync(CancellationToken.None);

        // The voter's log holds the founding configuration, entry 1 of term 1.
        var candidateSpan = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        var behind = await VoteAsync(voter, spans, new VoteRequest(2, 1, 5, 0, 0, PreVote: false, Transfer: false), candidateSpan);
        Assert.Equal((false, RaftTelemetry.LogBehindReason), (behind.Bool(RaftTelemetry.GrantedAttribute), behind.String(RaftTelemetry.VoteReasonAttribute)));
        Assert.Equal((candidateSpan.TraceId, candidateSpan.SpanId), (behind.TraceId, behind.ParentSpanId));
        Assert.Equal((1L, 1L, 5L, 2L), (behind.Long(RaftTelemetry.NodeAttribute), behind.Long(RaftTelemetry.GroupAttribute), behind.Long(RaftTelemetry.TermAttribute), behind.Long(RaftTelemetry.CandidateAttribute)));

        var granted = await VoteAsync(voter, spans, new VoteRequest(3, 1, 5, 1, 1, PreVote: false, Transfer: false), default);
        Assert.True(granted.Bool(RaftTelemetry.GrantedAttribute));
        Assert.Null(granted.GetTagItem(RaftTelemetry.VoteReasonAttribute));
        // The vote is written before the answer leaves; that write is part of the vote's trace.
        var persist = spans.Named(RaftTelemetry.PersistSpan).Last();
        Assert.Equal((granted.TraceId, granted.SpanId), (persist.TraceId, persist.ParentSpanId));
        Assert.True(persist.Bool(RaftTelemetry.HardStateAttribute));
        Assert.Contains(transport.Sent, s => s.Message is VoteResponse { To: 3, Granted: true, Term: 5 });

        var twice = await VoteAsync(voter, spans, new VoteRequest(2, 1, 5, 1, 1, PreVote: false, Transfer: false), default);
        Assert.Equal((false, RaftTelemetry.AlreadyVotedReason), (twice.Bool(RaftTelemetry.GrantedAttribute), twice.String(RaftTelemetry.VoteReasonAttribute)));

        var stalePreVote = await VoteAsync(voter, spans, new VoteRequest(2, 1, 3, 1, 1, PreVote: true, Transfer: false), default);
        Assert.Equal((false, RaftTelemetry.StaleTermReason), (stalePreVote.Bool(RaftTelemetry.GrantedAttribute), stalePreVote.String(RaftTelemetry.VoteReasonAttribute)));
        Assert.True(stalePreVote.Bool(RaftTelemetry.VotePreVoteAttribute));

        // A stale real vote gets no answer at all.
        var staleVote = await VoteAsync(voter, spans, new VoteRequest(2, 1, 4, 1, 1, PreVote: false, Transfer: false), default);
        Assert.Equal((false, RaftTelemetry.StaleTermReason), (staleVote.Bool(RaftTelemetry.GrantedAttribute), staleVote.String(RaftTelemetry.VoteReasonAttribute)));

        // Having just heard from leader 3, the voter ignores a disruptive candidate (thesis §4.2.3).
        await voter.DeliverAsync(new HeartbeatRequest(3, 1, 5, 1, 0), default, CancellationToken.None);
        var leased = await VoteAsync(voter, spans, new VoteRequest(2, 1, 6, 1, 1, PreVote: true, Transfer: false), default);
        Assert.Equal((false, RaftTelemetry.LeaderLeaseReason), (leased.Bool(RaftTelemetry.GrantedAttribute), leased.String(RaftTelemetry.VoteReasonAttribute)));
        Assert.DoesNotContain(transport.Sent, s => s.Message is VoteResponse { Term: 6 });
    }

    private static async Task<Activity> VoteAsync(RaftReplicaGrain voter, SpanRecorder spans, VoteRequest request, ActivityContext context)
    {
        var before = spans.Named(RaftTelemetry.VoteSpan).Count;
        await voter.DeliverAsync(request, context, CancellationToken.None);
        await voter.FlushAsync();
        var votes = spans.Named(RaftTelemetry.VoteSpan);
        Assert.True(votes.Count == before + 1, $"one more vote span expected after {request}:{Environment.NewLine}{SpanTags.Describe(votes)}");
        return votes[^1];
    }
}
