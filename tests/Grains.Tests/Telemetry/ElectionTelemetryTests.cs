using System.Diagnostics;
using OrleansRaft.Grains.Telemetry;
using OrleansRaft.Testing.Cluster;
using OrleansRaft.Testing.Telemetry;

namespace OrleansRaft.Grains.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class ElectionTelemetryTests
{
    [Fact]
    public async Task An_election_and_the_re_election_after_the_leader_crashes_are_traced_and_kept_in_the_history()
    {
        using var spans = new SpanRecorder(RaftTelemetry.ReplicaSourceName);
        await using var cluster = await TestCluster.StartAsync();
        var first = await cluster.WaitForLeaderAsync();
        var firstTerm = (await cluster.RunAsync(cluster.Replica(first).Status(CancellationToken.None))).Term;

        var won = AssertWon(spans, first, firstTerm, votesNeeded: 2);
        Assert.InRange(won.Long(RaftTelemetry.VotesGrantedAttribute), 2, 3);
        Assert.Equal(RaftTelemetry.ElectionTimeoutReason, won.String(RaftTelemetry.ReasonAttribute));
        Assert.Equal(default, won.ParentSpanId);
        AssertOneWinnerPerTerm(spans);

        await cluster.CrashAsync(first);
        var second = await cluster.WaitForLeaderAsync();
        Assert.NotEqual(first, second);
        var status = await cluster.RunAsync(cluster.Replica(second).Status(CancellationToken.None));
        Assert.True(status.Term > firstTerm);

        // Two of three alive: the survivor's vote and its own make the quorum; the crashed node never answers.
        var rewon = AssertWon(spans, second, status.Term, votesNeeded: 2);
        Assert.Equal(2, rewon.Long(RaftTelemetry.VotesGrantedAttribute));
        Assert.Equal(0, rewon.Long(RaftTelemetry.VotesRejectedAttribute));
        AssertOneWinnerPerTerm(spans);

        var history = status.Elections!;
        var last = history[^1];
        Assert.Equal((status.Term, RaftTelemetry.Won, second, false, RaftTelemetry.ElectionTimeoutReason), (last.Term, last.Outcome, last.Winner, last.PreVote, last.Reason));
        Assert.Equal((2, 2), (last.VotesGranted, last.VotesNeeded));
        Assert.NotNull(last.EndedAt);
        Assert.True(last.EndedAt >= last.StartedAt);
        Assert.All(history, r => Assert.Contains(r.Outcome, new[] { RaftTelemetry.Won, RaftTelemetry.Lost, RaftTelemetry.Superseded }));

        // The third node also saw both elections; what it started itself ended won, lost or superseded.
        var third = cluster.NodeIds.Single(id => id != first && id != second);
        foreach (var record in (await cluster.RunAsync(cluster.Replica(third).Status(CancellationToken.None))).Elections!)
        {
            Assert.NotEqual(RaftTelemetry.Running, record.Outcome);
            if (record.Outcome == RaftTelemetry.Superseded && !record.PreVote)
            {
                Assert.NotEqual(0, record.Winner);
            }
        }
    }

    [Fact]
    public async Task A_single_voter_wins_without_asking_anyone_and_still_records_the_election()
    {
        using var spans = new SpanRecorder(RaftTelemetry.ReplicaSourceName);
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Size = 1 });
        var leader = await cluster.WaitForLeaderAsync();
        var status = await cluster.RunAsync(cluster.Replica(leader).Status(CancellationToken.None));
        var won = AssertWon(spans, leader, status.Term, votesNeeded: 1);
        Assert.Equal(1, won.Long(RaftTelemetry.VotesGrantedAttribute));
        Assert.Equal((RaftTelemetry.Won, 1), (status.Elections![^1].Outcome, status.Elections[^1].VotesNeeded));
    }

    private static Activity AssertWon(SpanRecorder spans, long node, long term, int votesNeeded)
    {
        var elections = spans.Named(RaftTelemetry.ElectionSpan);
        var won = elections.Where(a => a.String(RaftTelemetry.OutcomeAttribute) == RaftTelemetry.Won && a.Long(RaftTelemetry.TermAttribute) == term).ToList();
        Assert.True(won.Count == 1, $"one won election of term {term} expected:{Environment.NewLine}{SpanTags.Describe(elections)}");
        var span = won[0];
        Assert.Equal(node, span.Long(RaftTelemetry.NodeAttribute));
        Assert.Equal(1, span.Long(RaftTelemetry.GroupAttribute));
        Assert.Equal(node, span.Long(RaftTelemetry.WinnerAttribute));
        Assert.False(span.Bool(RaftTelemetry.PreVoteAttribute));
        Assert.Equal(votesNeeded, span.Long(RaftTelemetry.VotesNeededAttribute));
        Assert.True(span.Long(RaftTelemetry.VotesGrantedAttribute) >= votesNeeded);
        if (votesNeeded > 1)
        {
            // The core asks for pre-votes first (thesis §9.6): the same span carries the moment the pre-vote was won.
            Assert.Contains(span.Events, e => e.Name == RaftTelemetry.PreVoteWonEvent);
        }

        return span;
    }

    private static void AssertOneWinnerPerTerm(SpanRecorder spans)
    {
        var elections = spans.Named(RaftTelemetry.ElectionSpan);
        Assert.All(elections, a => Assert.Contains(a.String(RaftTelemetry.OutcomeAttribute), new[] { RaftTelemetry.Won, RaftTelemetry.Lost, RaftTelemetry.Superseded }));
        foreach (var term in elections.GroupBy(a => a.Long(RaftTelemetry.TermAttribute)))
        {
            Assert.True(term.Count(a => a.String(RaftTelemetry.OutcomeAttribute) == RaftTelemetry.Won) <= 1, $"two winners of term {term.Key}");
        }
    }
}
