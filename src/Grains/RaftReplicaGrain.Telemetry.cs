using System.Diagnostics;
using OrleansRaft.Grains.Telemetry;
using OrleansRaft.Raft;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains;

/// <summary>
/// Where the turn loop meets telemetry: peer messages in and out with their trace contexts, the values the
/// gauges read. Spans are made only while someone listens (<c>traced</c>, taken once a turn).
/// </summary>
public sealed partial class RaftReplicaGrain
{
    /// <summary>raft.node and raft.group, the tags of every measurement of this replica.</summary>
    internal KeyValuePair<string, object?>[] MetricTags { get; }

    /// <summary>Values the turn loop last published for the gauges.</summary>
    internal PublishedState Published { get; } = new();

    internal long QueuedRequests => Volatile.Read(ref pendingRequests);

    /// <summary>Steps a peer message into the core, noting what elections and votes need to know of it.</summary>
    private void Step(RaftMessage message, ActivityContext context)
    {
        switch (message)
        {
            case VoteRequest request when traced:
                var vote = tracing.BeginVote(request, context, node);
                node.Step(request);
                if (vote is not null)
                {
                    vote.VoteAfter = node.Vote;
                }

                return;
            case VoteResponse response:
                elections.OnVoteResponse(response);
                break;
            case AppendRequest append when traced && context != default:
                tracing.OnAppend(append, context);
                break;
            case Raft.Messages.TimeoutNow when context != default:
                elections.OnTimeoutNow(context);
                break;
        }

        node.Step(message);
    }

    /// <summary>Hands a message to the transport with the span it belongs to, so the receiver's work joins that trace.</summary>
    private void Send(RaftMessage message)
    {
        if (!traced)
        {
            transport.Send(GroupId, message);
            return;
        }

        var context = message switch
        {
            VoteRequest => elections.Context,
            AppendRequest append => tracing.ContextFor(append),
            Raft.Messages.TimeoutNow => tracing.TransferContext,
            _ => default,
        };
        if (message is VoteResponse answer)
        {
            tracing.AnswerVote(answer);
        }

        transport.Send(GroupId, message, context);
    }

    private void OnTicked()
    {
        if (traced)
        {
            tracing.OnTick(node.Role, options.ElectionTicks);
        }

        if (ReplicaDiagnostics.FollowerLag.Enabled && node.Role == Role.Leader)
        {
            // Once a tick, and only while a reader listens: Status() allocates.
            var status = node.Status();
            var lags = new (long Follower, long Lag)[status.Followers.Count];
            var i = 0;
            foreach (var (follower, progress) in status.Followers)
            {
                lags[i++] = (follower, Math.Max(0, status.LastIndex - progress.MatchIndex));
            }

            Published.PublishFollowerLags(lags);
        }
    }

    private void Publish() =>
        Published.Publish(node.Term, (int)node.Role, node.CommitIndex, kv.AppliedIndex, proposals.Count);
}
