using System.Diagnostics;
using OrleansRaft.Raft;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains.Telemetry;

/// <summary>
/// One replica's spans other than elections: <c>raft.vote</c>, <c>raft.replicate</c>, <c>raft.persist</c>,
/// <c>raft.apply</c> and <c>raft.leader_transfer</c>, and which trace context each outgoing message carries.
/// The grain calls in only while someone listens to the replica source; runs on the turn loop only.
/// </summary>
internal sealed class ReplicaTracing(long nodeId, long groupId)
{
    private const int MaxLinks = 16;
    private const int RecentAppendCapacity = 64;

    private readonly List<PendingVote> votes = [];
    private readonly Queue<OpenReplication> replications = new();
    private readonly List<ActivityContext> turnContexts = [];
    private readonly RecentAppend[] recentAppends = new RecentAppend[RecentAppendCapacity];
    private int nextRecentAppend;
    private PendingTransfer? transfer;

    public bool HasOpenReplications => replications.Count > 0;

    /// <summary>The span of the transfer under way, for the TimeoutNow it sends; default when none.</summary>
    public ActivityContext TransferContext => transfer?.Activity.Context ?? default;

    /// <summary>Before stepping a vote request: what the reason for a refusal will be judged on.</summary>
    public PendingVote? BeginVote(VoteRequest request, ActivityContext parent, RaftNode node)
    {
        if (Spans.Start(RaftTelemetry.VoteSpan, parent, ActivityKind.Server) is not { } activity)
        {
            return null;
        }

        activity.Identify(nodeId, groupId, request.Term)
            .SetTag(RaftTelemetry.CandidateAttribute, request.From)
            .SetTag(RaftTelemetry.VotePreVoteAttribute, request.PreVote)
            .SetTag(RaftTelemetry.VoteTransferAttribute, request.Transfer);
        node.TryGetTerm(node.LastIndex, out var lastTerm);
        var upToDate = request.LastLogTerm > lastTerm || (request.LastLogTerm == lastTerm && request.LastLogIndex >= node.LastIndex);
        var vote = new PendingVote(request.From, request.Term, request.PreVote, node.Term, upToDate, activity);
        votes.Add(vote);
        turnContexts.Add(activity.Context);
        return vote;
    }

    /// <summary>The answer to a vote request leaves this node (its vote is durable by now).</summary>
    public void AnswerVote(VoteResponse response)
    {
        var index = votes.FindIndex(v => v.Candidate == response.To && v.PreVote == response.PreVote);
        if (index < 0)
        {
            return;
        }

        var vote = votes[index];
        votes.RemoveAt(index);
        EndVote(vote, response.Granted, response.Granted ? null : RefusalReason(vote));
    }

    /// <summary>A follower got entries with a trace context: its store write and later apply join that trace.</summary>
    public void OnAppend(AppendRequest request, ActivityContext context)
    {
        if (request.Entries.Length == 0)
        {
            return;
        }

        turnContexts.Add(context);
        recentAppends[nextRecentAppend] = new RecentAppend(request.Entries[0].Index, request.Entries[^1].Index, context);
        nextRecentAppend = (nextRecentAppend + 1) % RecentAppendCapacity;
    }

    /// <summary>A leader proposed a batch: one <c>raft.replicate</c> span, child of the first caller, linked to the others.</summary>
    public void OnProposed(ProposeResult result, IReadOnlyList<ReadOnlyMemory<byte>> commands, IReadOnlyList<ActivityContext> callers)
    {
        var parent = callers.Count > 0 ? callers[0] : default;
        List<ActivityLink>? links = null;
        for (var i = 1; i < callers.Count && (links?.Count ?? 0) < MaxLinks; i++)
        {
            (links ??= []).Add(new ActivityLink(callers[i]));
        }

        if (Spans.Start(RaftTelemetry.ReplicateSpan, parent, links: links) is not { } activity)
        {
            return;
        }

        var last = result.Index + commands.Count - 1;
        if (activity.IsAllDataRequested)
        {
            long bytes = 0;
            foreach (var command in commands)
            {
                bytes += command.Length;
            }

            activity.Identify(nodeId, groupId, result.Term)
                .SetTag(RaftTelemetry.EntriesAttribute, commands.Count)
                .SetTag(RaftTelemetry.BytesAttribute, bytes)
                .SetTag(RaftTelemetry.FirstIndexAttribute, result.Index)
                .SetTag(RaftTelemetry.LastIndexAttribute, last);
        }

        replications.Enqueue(new OpenReplication(result.Index, last, result.Term, activity));
        turnContexts.Add(activity.Context);
    }

    /// <summary>The context an AppendEntries carries: the batch its first entry belongs to.</summary>
    public ActivityContext ContextFor(AppendRequest request)
    {
        if (request.Entries.Length == 0)
        {
            return default;
        }

        var first = request.Entries[0].Index;
        var last = request.Entries[^1].Index;
        foreach (var replication in replications)
        {
            if (replication.FirstIndex <= last && replication.LastIndex >= first)
            {
                return replication.Activity.Context;
            }
        }

        return default;
    }

    /// <summary>An entry was applied: the batches it completes end, committed if the entry is still theirs.</summary>
    public void OnApplied(LogEntry entry, RaftNode node)
    {
        while (replications.TryPeek(out var replication) && replication.LastIndex <= entry.Index)
        {
            replications.Dequeue();
            var committed = replication.LastIndex == entry.Index && replication.Term == entry.Term;
            var activity = replication.Activity;
            if (activity.IsAllDataRequested)
            {
                var acked = 0;
                foreach (var follower in node.Status().Followers.Values)
                {
                    acked += follower.MatchIndex >= replication.LastIndex ? 1 : 0;
                }

                activity.SetTag(RaftTelemetry.FollowersAckedAttribute, acked)
                    .SetTag(RaftTelemetry.ReplicateOutcomeAttribute, committed ? RaftTelemetry.Committed : RaftTelemetry.Superseded);
            }

            Spans.Stop(activity);
        }
    }

    /// <summary>The store write of one Ready: child of what caused it this turn (a vote, a batch, entries from the leader, the election).</summary>
    public Activity? StartPersist(Ready ready, ActivityContext election)
    {
        if (election != default && ready.HardState is { } hardState && hardState.Vote == nodeId)
        {
            turnContexts.Add(election);
        }

        var parent = turnContexts.Count > 0 ? turnContexts[0] : default;
        var links = Links(turnContexts, skip: 1);
        turnContexts.Clear();
        if (Spans.Start(RaftTelemetry.PersistSpan, parent, links: links) is not { } activity)
        {
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            long bytes = 0;
            foreach (var entry in ready.Entries)
            {
                bytes += entry.Data.Length;
            }

            activity.Identify(nodeId, groupId, ready.HardState?.Term ?? (ready.Entries.Count > 0 ? ready.Entries[^1].Term : 0))
                .SetTag(RaftTelemetry.EntriesAttribute, ready.Entries.Count)
                .SetTag(RaftTelemetry.BytesAttribute, bytes)
                .SetTag(RaftTelemetry.SyncAttribute, ready.MustSync)
                .SetTag(RaftTelemetry.HardStateAttribute, ready.HardState is not null);
            if (ready.Entries.Count > 0)
            {
                activity.SetTag(RaftTelemetry.FirstIndexAttribute, ready.Entries[0].Index).SetTag(RaftTelemetry.LastIndexAttribute, ready.Entries[^1].Index);
            }
        }

        return activity;
    }

    /// <summary>
    /// Applying committed entries: on the leader a child of their (first traced) batch, on a follower of the
    /// append that brought them.
    /// </summary>
    public Activity? StartApply(IReadOnlyList<LogEntry> entries, long term)
    {
        var first = entries[0].Index;
        var last = entries[^1].Index;
        var parent = default(ActivityContext);
        foreach (var replication in replications)
        {
            if (replication.FirstIndex <= last && replication.LastIndex >= first)
            {
                parent = replication.Activity.Context;
                break;
            }
        }

        if (parent == default)
        {
            var oldest = long.MaxValue;
            foreach (var append in recentAppends)
            {
                if (append.Context != default && append.FirstIndex <= last && append.LastIndex >= first && append.FirstIndex < oldest)
                {
                    parent = append.Context;
                    oldest = append.FirstIndex;
                }
            }
        }

        return Spans.Start(RaftTelemetry.ApplySpan, parent)
            ?.Identify(nodeId, groupId, term)
            .SetTag(RaftTelemetry.EntriesAttribute, entries.Count)
            .SetTag(RaftTelemetry.FirstIndexAttribute, first)
            .SetTag(RaftTelemetry.LastIndexAttribute, last);
    }

    public void OnTransfer(long to, bool accepted, ActivityContext caller, long term)
    {
        if (Spans.Start(RaftTelemetry.LeaderTransferSpan, caller) is not { } activity)
        {
            return;
        }

        activity.Identify(nodeId, groupId, term).SetTag(RaftTelemetry.TransferToAttribute, to);
        if (!accepted)
        {
            EndTransfer(activity, RaftTelemetry.TransferRefused, RaftNode.None);
            return;
        }

        if (transfer is { } previous)
        {
            EndTransfer(previous.Activity, RaftTelemetry.TransferAbandoned, RaftNode.None);
        }

        transfer = new PendingTransfer(to, activity);
    }

    /// <summary>The core abandons a transfer after an election timeout as leader (thesis §3.10).</summary>
    public void OnTick(Role role, int electionTicks)
    {
        if (transfer is { } pending && role == Role.Leader && ++pending.Ticks > electionTicks)
        {
            transfer = null;
            EndTransfer(pending.Activity, RaftTelemetry.TransferAbandoned, RaftNode.None);
        }
    }

    public void OnRoleChanged(SoftState soft)
    {
        if (transfer is { } pending && soft.Role != Role.Leader)
        {
            transfer = null;
            EndTransfer(pending.Activity, RaftTelemetry.TransferCompleted, soft.Leader);
        }
    }

    /// <summary>End of a turn: vote requests that got no answer were ignored.</summary>
    public void EndTurn()
    {
        foreach (var vote in votes)
        {
            EndVote(vote, granted: false, vote.Term < vote.TermBefore ? RaftTelemetry.StaleTermReason : RaftTelemetry.LeaderLeaseReason);
        }

        votes.Clear();
        turnContexts.Clear();
    }

    /// <summary>The replica stops: whatever is open ends now.</summary>
    public void EndAll(string reason)
    {
        EndTurn();
        while (replications.TryDequeue(out var replication))
        {
            replication.Activity.SetTag(RaftTelemetry.ReplicateOutcomeAttribute, RaftTelemetry.Failed).SetStatus(ActivityStatusCode.Error, reason);
            Spans.Stop(replication.Activity);
        }

        if (transfer is { } pending)
        {
            transfer = null;
            EndTransfer(pending.Activity, RaftTelemetry.TransferAbandoned, RaftNode.None);
        }
    }

    private static string RefusalReason(PendingVote vote)
    {
        if (vote.Term < vote.TermBefore)
        {
            return RaftTelemetry.StaleTermReason;
        }

        if (!vote.CandidateUpToDate)
        {
            return RaftTelemetry.LogBehindReason;
        }

        return vote.VoteAfter != RaftNode.None && vote.VoteAfter != vote.Candidate ? RaftTelemetry.AlreadyVotedReason : RaftTelemetry.LeaderKnownReason;
    }

    private static void EndVote(PendingVote vote, bool granted, string? reason)
    {
        vote.Activity.SetTag(RaftTelemetry.GrantedAttribute, granted);
        if (reason is not null)
        {
            vote.Activity.SetTag(RaftTelemetry.VoteReasonAttribute, reason);
        }

        Spans.Stop(vote.Activity);
    }

    private static void EndTransfer(Activity activity, string outcome, long leader)
    {
        activity.SetTag(RaftTelemetry.TransferOutcomeAttribute, outcome);
        if (leader != RaftNode.None)
        {
            activity.SetTag(RaftTelemetry.LeaderAttribute, leader);
        }

        Spans.Stop(activity);
    }

    private static List<ActivityLink>? Links(List<ActivityContext> contexts, int skip)
    {
        List<ActivityLink>? links = null;
        for (var i = skip; i < contexts.Count && (links?.Count ?? 0) < MaxLinks; i++)
        {
            if (contexts[i] != contexts[0] && (links is null || !links.Exists(l => l.Context == contexts[i])))
            {
                (links ??= []).Add(new ActivityLink(contexts[i]));
            }
        }

        return links;
    }
}
