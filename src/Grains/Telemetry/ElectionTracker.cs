using System.Diagnostics;
using OrleansRaft.Raft;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains.Telemetry;

/// <summary>
/// Follows one replica's elections from what the host sees of its core, with no help from it: a round starts
/// when a Ready carries this node's vote requests (their flags say pre-vote or transfer), a pre-vote round
/// becomes the real vote when real requests for the same term follow, and the election ends when the core is
/// leader (won) or follower again (superseded when it learned of a leader or a higher term, else lost). A
/// round that is followed by another without ending timed out: lost. Keeps the last
/// <see cref="HistoryCapacity"/> elections for <see cref="ReplicaStatus.Elections"/> and, when someone
/// listens, a <c>raft.election</c> span per election. Runs on the grain's turn loop only.
/// </summary>
internal sealed class ElectionTracker(long nodeId, long groupId, TimeProvider time, KeyValuePair<string, object?>[] metricTags)
{
    public const int HistoryCapacity = 32;

    private readonly List<ElectionRecord> history = new(HistoryCapacity);
    private ElectionRound? current;
    private ActivityContext transferParent;
    private Role lastRole = Role.Follower;

    /// <summary>The running election's span, for the vote requests and the store write it causes; default when none.</summary>
    public ActivityContext Context => current?.Activity?.Context ?? default;

    /// <summary>A TimeoutNow arrived with its leader-transfer span: the election it starts continues that trace.</summary>
    public void OnTimeoutNow(ActivityContext parent) => transferParent = parent;

    /// <summary>A vote response reached this node; counted when it answers the running round.</summary>
    public void OnVoteResponse(VoteResponse response)
    {
        if (current is not { } round || response.PreVote != round.PreVote)
        {
            return;
        }

        if (!response.Granted)
        {
            round.Rejected.Add(response.From);
        }
        else if (response.Term == round.Term)
        {
            round.Granted.Add(response.From);
        }
    }

    /// <summary>Called with every Ready before it is persisted or sent: the core's state after the turn's inputs.</summary>
    public void Observe(RaftNode node, IReadOnlyList<RaftMessage> messages)
    {
        VoteRequest? request = null;
        foreach (var message in messages)
        {
            if (message is VoteRequest vote && vote.From == nodeId)
            {
                request = vote;
                break;
            }
        }

        if (request is not null)
        {
            if (current is { PreVote: true } round && !request.PreVote && request.Term == round.Term)
            {
                round.EnterVote(nodeId);
                round.Activity?.AddEvent(new ActivityEvent(RaftTelemetry.PreVoteWonEvent));
            }
            else
            {
                // A new round while one runs: the old one reached no majority before this node timed out again.
                End(RaftTelemetry.Lost, 0);
                Start(request.Term, request.PreVote, request.Transfer ? RaftTelemetry.LeaderTransferReason : RaftTelemetry.ElectionTimeoutReason, node.Configuration.Quorum);
            }
        }
        else if (current is null && node.Role == Role.Leader && lastRole != Role.Leader)
        {
            // A single voter wins within one tick and sends no request: an election all the same.
            Start(node.Term, preVote: false, RaftTelemetry.ElectionTimeoutReason, node.Configuration.Quorum);
        }

        if (current is { } running)
        {
            switch (node.Role)
            {
                case Role.Leader:
                    End(RaftTelemetry.Won, nodeId);
                    break;
                case Role.Follower:
                    var superseded = node.Leader != RaftNode.None || node.Term > running.Term || (running.PreVote && node.Term == running.Term);
                    End(superseded ? RaftTelemetry.Superseded : RaftTelemetry.Lost, node.Leader);
                    break;
            }
        }

        lastRole = node.Role;
        LearnWinner(node);
    }

    /// <summary>The finished elections, oldest first, then the running one.</summary>
    public ElectionRecord[] History()
    {
        var records = new List<ElectionRecord>(history.Count + 1);
        records.AddRange(history);
        if (current is { } round)
        {
            records.Add(Record(round, RaftTelemetry.Running, 0, endedAt: null));
        }

        return [.. records];
    }

    private void Start(long term, bool preVote, string reason, int needed)
    {
        Activity? activity = null;
        if (ReplicaDiagnostics.Source.HasListeners())
        {
            var parent = reason == RaftTelemetry.LeaderTransferReason ? transferParent : default;
            activity = Spans.Start(RaftTelemetry.ElectionSpan, parent)
                ?.Identify(nodeId, groupId, term)
                .SetTag(RaftTelemetry.ReasonAttribute, reason);
        }

        transferParent = default;
        current = new ElectionRound(term, preVote, reason, time.GetUtcNow(), needed, activity);
        current.Granted.Add(nodeId);
        if (ReplicaDiagnostics.ElectionsStarted.Enabled)
        {
            ReadOnlySpan<KeyValuePair<string, object?>> tags = [.. metricTags, new(RaftTelemetry.ReasonAttribute, reason)];
            ReplicaDiagnostics.ElectionsStarted.Add(1, tags);
        }
    }

    private void End(string outcome, long winner)
    {
        if (current is not { } round)
        {
            return;
        }

        current = null;
        var record = Record(round, outcome, winner, time.GetUtcNow());
        if (history.Count == HistoryCapacity)
        {
            history.RemoveAt(0);
        }

        history.Add(record);
        if (outcome == RaftTelemetry.Won)
        {
            ReplicaDiagnostics.ElectionsWon.Add(1, metricTags);
        }

        if (round.Activity is { } activity)
        {
            activity.SetTag(RaftTelemetry.TermAttribute, round.Term)
                .SetTag(RaftTelemetry.PreVoteAttribute, round.PreVote)
                .SetTag(RaftTelemetry.OutcomeAttribute, outcome)
                .SetTag(RaftTelemetry.VotesGrantedAttribute, round.Granted.Count)
                .SetTag(RaftTelemetry.VotesRejectedAttribute, round.Rejected.Count)
                .SetTag(RaftTelemetry.VotesNeededAttribute, round.Needed);
            if (winner != RaftNode.None)
            {
                activity.SetTag(RaftTelemetry.WinnerAttribute, winner);
            }

            Spans.Stop(activity);
        }
    }

    /// <summary>An election lost or superseded names its winner once this node hears from the leader of that term.</summary>
    private void LearnWinner(RaftNode node)
    {
        if (node.Leader != RaftNode.None && history.Count > 0 && history[^1] is { Winner: RaftNode.None } record && node.Term == record.Term)
        {
            history[^1] = record with { Winner = node.Leader };
        }
    }

    private static ElectionRecord Record(ElectionRound round, string outcome, long winner, DateTimeOffset? endedAt) =>
        new(round.Term, round.StartedAt, endedAt, outcome, winner, round.PreVote, round.Reason, round.Granted.Count, round.Rejected.Count, round.Needed);
}
