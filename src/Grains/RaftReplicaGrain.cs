using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Grains.Mailbox;
using OrleansRaft.Grains.Storage;
using OrleansRaft.Grains.Telemetry;
using OrleansRaft.Grains.Timers;
using OrleansRaft.Grains.Transport;
using OrleansRaft.Raft;
using OrleansRaft.Raft.Messages;
using OrleansRaft.Raft.Storage;

namespace OrleansRaft.Grains;

/// <summary>
/// One replica of one Raft group, pinned to its silo. A single-threaded turn loop takes everything waiting in
/// the mailbox (peer messages, ticks, client requests), proposes all writes of the turn as one batch, then
/// follows the Ready order: persist in one store call, send, apply, advance. Sends never wait on the network.
/// </summary>
public sealed partial class RaftReplicaGrain : IAsyncDisposable
{
    private const int MaxItemsPerTurn = 4096;

    private readonly ReplicaOptions options;
    private readonly ILogStore store;
    private readonly IReplicaTransport transport;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Channel<MailboxItem> mailbox = Channel.CreateUnbounded<MailboxItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly KvStateMachine kv;
    private MemoryStorage log = null!;
    private RaftNode node = null!;
    private GrainTimer? timer;
    private Task loop = Task.CompletedTask;
    private int tickPending;
    private int hostTurnRunning;
    private long handledItems;
    private int pendingRequests;
    private int pendingPeerMessages;
    private readonly List<FlushItem> flushes = [];
    private readonly ElectionTracker elections;
    private readonly ReplicaTracing tracing;
    private long lastLeader;

    // Whether anyone listened to the replica's spans when this turn began: without a listener no span work is done.
    private bool traced;
    private volatile string? failure;

    public RaftReplicaGrain(ReplicaOptions options, ILogStore store, IReplicaTransport transport, TimeProvider time, ILogger logger)
    {
        this.options = options;
        this.store = store;
        this.transport = transport;
        this.time = time;
        this.logger = logger;
        kv = new KvStateMachine(options.SessionTimeout);
        MetricTags = [new(RaftTelemetry.NodeAttribute, options.NodeId), new(RaftTelemetry.GroupAttribute, options.GroupId)];
        elections = new ElectionTracker(options.NodeId, options.GroupId, time, MetricTags);
        tracing = new ReplicaTracing(options.NodeId, options.GroupId);
    }

    public long NodeId => options.NodeId;

    public long GroupId => options.GroupId;

    /// <summary>Why this replica stopped serving, or null while it serves.</summary>
    public string? Failure => failure;

    /// <summary>Loads durable state, then starts the tick timer and the turn loop.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        log = await store.LoadAsync(cancellationToken);
        if (log.Snapshot is { } snapshot)
        {
            using var data = new MemoryStream(snapshot.Data.ToArray(), writable: false);
            kv.Restore(data);
        }

        SyncPeers();
        var seed = options.Seed ?? Random.Shared.Next();
        node = new RaftNode(
            new RaftOptions
            {
                Id = options.NodeId,
                InitialVoters = options.InitialVoters,
                ElectionTicks = options.ElectionTicks,
                ElectionTicksMax = options.ElectionTicksMax,
                HeartbeatTicks = options.HeartbeatTicks,
                CheckQuorum = options.CheckQuorum,
                MaxSizePerMessage = options.MaxBatchBytes,
                MaxInflightMessages = options.MaxInflight,
                Applied = kv.AppliedIndex,

                // A chunk travels in one peer message, whose size the batch cap already keeps legal.
                MaxSnapshotChunkBytes = (int)Math.Min(options.MaxBatchBytes, 1 << 20),
                Random = new Random(seed),
            },
            log);
        logger.LogInformation(
            "node {NodeId} group {GroupId} starting at term {Term}, log [{First}, {Last}], commit {Commit}, seed {Seed}",
            NodeId, GroupId, node.Term, log.FirstIndex, log.LastIndex, log.HardState.Commit, seed);
        Publish();
        ReplicaGauges.Register(this);
        timer = new GrainTimer(time, options.TickInterval, PostTick);
        if (options.HostRunsTurns)
        {
            await HostTurnsAsync(first: true);
        }
        else
        {
            loop = Task.Run(RunAsync, CancellationToken.None);
        }
    }

    /// <summary>Graceful stop: no new input, the current turn finishes and its writes are flushed.</summary>
    public async ValueTask DisposeAsync()
    {
        timer?.Dispose();
        mailbox.Writer.TryComplete();
        await (options.HostRunsTurns ? HostTurnsAsync(first: false) : loop);
        await snapshotWrite;
        ReplicaGauges.Unregister(this);
        tracing.EndAll("the replica stopped");
        FailPending("the replica is shutting down");
    }

    private void PostTick()
    {
        if (Interlocked.Exchange(ref tickPending, 1) == 0 && !mailbox.Writer.TryWrite(TickItem.Instance))
        {
            tickPending = 0;
        }
    }

    private async Task RunAsync()
    {
        // The loop serves every caller: it belongs to no caller's trace.
        Activity.Current = null;
        try
        {
            await ProcessReadyAsync();
            Publish();
            while (await mailbox.Reader.WaitToReadAsync())
            {
                await TurnAsync();
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    /// <summary>
    /// <see cref="ReplicaOptions.HostRunsTurns"/>: the turns the loop would take for what is in the mailbox now, on the
    /// caller's thread; <paramref name="first"/> also processes what loading the store made ready, as the loop does.
    /// </summary>
    private async Task HostTurnsAsync(bool first)
    {
        if (Interlocked.Exchange(ref hostTurnRunning, 1) == 1)
        {
            throw new InvalidOperationException($"node {NodeId}: the host ran two turns at once; it must run them one at a time");
        }

        // A turn serves every caller: it belongs to no caller's trace.
        Activity.Current = null;
        try
        {
            if (first)
            {
                await ProcessReadyAsync();
                Publish();
            }

            while (failure is null && mailbox.Reader.TryPeek(out _))
            {
                await TurnAsync();
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            Volatile.Write(ref hostTurnRunning, 0);
        }
    }

    /// <summary>One turn: everything waiting (up to <see cref="MaxItemsPerTurn"/>), the turn's writes as one proposal, its Ready.</summary>
    private async Task TurnAsync()
    {
        traced = ReplicaDiagnostics.Source.HasListeners();
        for (var taken = 0; taken < MaxItemsPerTurn && mailbox.Reader.TryRead(out var item); taken++)
        {
            if (item is not FlushItem)
            {
                Interlocked.Increment(ref handledItems);
            }

            Dispatch(item);
        }

        ProposeBatch();
        await ProcessReadyAsync();
        if (traced)
        {
            tracing.EndTurn();
        }

        Publish();
        foreach (var flush in flushes)
        {
            flush.Done.TrySetResult();
        }

        flushes.Clear();
    }

    private void Dispatch(MailboxItem item)
    {
        switch (item)
        {
            case PeerItem peer:
                Interlocked.Decrement(ref pendingPeerMessages);
                Step(peer.Message, peer.TraceContext);
                break;
            case TickItem:
                Volatile.Write(ref tickPending, 0);
                node.Tick();
                OnTicked();
                break;
            case WriteItem write:
                Interlocked.Decrement(ref pendingRequests);
                if (!write.Cancellation.IsCancellationRequested)
                {
                    batch.Add(write);
                }

                break;
            case ReadItem read:
                Interlocked.Decrement(ref pendingRequests);
                StartRead(read);
                break;
            case StatusItem status:
                status.Reply.TrySetResult(CurrentStatus());
                break;
            case UnreachableItem unreachable:
                node.ReportUnreachable(unreachable.Peer);
                break;
            case TransferItem transfer:
                var accepted = node.TransferLeadership(transfer.To);
                if (traced)
                {
                    tracing.OnTransfer(transfer.To, accepted, transfer.Caller?.Context ?? default, node.Term);
                }

                transfer.Reply.TrySetResult(accepted);
                break;
            case FlushItem flush:
                flushes.Add(flush);
                break;
            case SnapshotSavedItem saved:
                OnSnapshotSaved(saved);
                break;
            case TurnItem turn:
                turn.Run();
                break;
        }
    }

    /// <summary>
    /// Completes once everything queued before this call has been handled (persisted, sent, applied). With
    /// <see cref="ReplicaOptions.HostRunsTurns"/> it runs those turns itself, now.
    /// </summary>
    public Task FlushAsync()
    {
        if (options.HostRunsTurns)
        {
            return HostTurnsAsync(first: false);
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return mailbox.Writer.TryWrite(new FlushItem(done)) ? done.Task : Task.CompletedTask;
    }

    /// <summary>Items handled so far: lets a test host tell a quiet replica from a busy one.</summary>
    public long HandledItems => Volatile.Read(ref handledItems);

    private async Task ProcessReadyAsync()
    {
        while (node.HasReady())
        {
            var ready = node.Ready();
            elections.Observe(node, ready.Messages);
            var early = SendLeaderRequestsEarly(ready);

            // Committed entries are durable on a quorum already: apply them (and answer their clients) without
            // waiting for this node's own write. A snapshot from the leader comes first: they continue after it.
            if (ready.Snapshot is { } snapshot)
            {
                RestoreSnapshot(snapshot);
            }

            var applying = traced && ready.CommittedEntries.Count > 0 ? tracing.StartApply(ready.CommittedEntries, node.Term) : null;
            Apply(ready.CommittedEntries);
            if (applying is not null)
            {
                Spans.Stop(applying);
            }

            if (ready.Snapshot is { } installed)
            {
                await store.InstallSnapshotAsync(installed, ready.HardState, ready.Entries, CancellationToken.None);
                log.ApplySnapshot(installed);
                log.Append(ready.Entries);
            }
            else if (ready.MustSync)
            {
                // Durable before anything that depends on it leaves this node (§5.2, §5.3). A commit-only change
                // is not written at all: the commit index need not be durable (a restart relearns it from the
                // leader) and it rides along with the next write of entries or term.
                var persisting = traced ? tracing.StartPersist(ready, elections.Context) : null;
                var started = ReplicaDiagnostics.StoreCommitDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
                if (persisting is not null)
                {
                    // Current during the write, so the store's own spans (Npgsql) nest under it.
                    Activity.Current = persisting;
                }

                try
                {
                    await store.SaveAsync(ready.HardState, ready.Entries, sync: true, CancellationToken.None);
                }
                catch (Exception e) when (persisting is not null)
                {
                    persisting.SetStatus(ActivityStatusCode.Error, e.Message);
                    throw;
                }
                finally
                {
                    if (persisting is not null)
                    {
                        persisting.Stop();
                        Activity.Current = null;
                    }
                }

                if (started != 0)
                {
                    ReplicaDiagnostics.StoreCommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, MetricTags);
                }

                log.Append(ready.Entries);
            }

            if (ready.HardState is { } hardState)
            {
                log.SetHardState(hardState);
            }

            foreach (var message in ready.Messages)
            {
                if (!early || !IsLeaderRequest(message))
                {
                    Send(message);
                }
            }

            if (ready.SoftState is { } soft)
            {
                OnRoleChanged(soft);
            }

            OnReadStates(ready.ReadStates);
            node.Advance(ready);
        }

        MaybeTakeSnapshot();
    }

    /// <summary>
    /// Thesis §10.2.1: a leader may replicate while its own write is in flight, because it counts itself toward a
    /// quorum only once that write is done. So when term and vote are unchanged, its AppendEntries, heartbeats and
    /// TimeoutNow leave before the store call; a slow disk then delays no heartbeat. Returns whether it sent them.
    /// </summary>
    private bool SendLeaderRequestsEarly(Ready ready)
    {
        var durable = log.HardState;
        if (ready.HardState is { } next && (next.Term != durable.Term || next.Vote != durable.Vote))
        {
            return false;
        }

        foreach (var message in ready.Messages)
        {
            if (IsLeaderRequest(message))
            {
                Send(message);
            }
        }

        return true;
    }

    private bool IsLeaderRequest(RaftMessage message) =>
        message is AppendRequest or HeartbeatRequest or Raft.Messages.TimeoutNow && message.From == NodeId && message.Term == log.HardState.Term;

    private void OnRoleChanged(SoftState soft)
    {
        logger.LogInformation("node {NodeId} group {GroupId} term {Term}: {Role}, leader {Leader}", NodeId, GroupId, node.Term, soft.Role, soft.Leader);
        if (soft.Leader != RaftNode.None && soft.Leader != lastLeader)
        {
            lastLeader = soft.Leader;
            ReplicaDiagnostics.LeaderChanges.Add(1, MetricTags);
        }

        tracing.OnRoleChanged(soft);
        if (soft.Role != Role.Leader)
        {
            Published.PublishFollowerLags([]);
            // The core dropped its unconfirmed reads; tell their callers to find the new leader.
            FailReads(new KvResponse(KvStatus.NotLeader) { LeaderHint = soft.Leader, Detail = "leadership changed before the read was confirmed" });
        }
    }

    private ReplicaStatus CurrentStatus()
    {
        var status = node.Status();
        return new ReplicaStatus(
            NodeId,
            GroupId,
            status.Role == Role.Follower && status.Configuration.IsLearner(NodeId) ? "learner" : RoleName(status.Role),
            status.Term,
            status.Leader,
            status.CommitIndex,
            kv.AppliedIndex,
            status.FirstIndex,
            status.LastIndex,
            status.Configuration.Voters,
            status.Configuration.Learners,
            failure,
            elections.History())
        {
            SnapshotIndex = SnapshotIndex,
            MemberAddresses = new Dictionary<long, string>(kv.Members),
        };
    }

    private static string RoleName(Role role) => role switch
    {
        Role.Leader => "leader",
        Role.Candidate or Role.PreCandidate => "candidate",
        _ => "follower",
    };

    private void Fail(Exception e)
    {
        failure = $"{e.GetType().Name}: {e.Message}";
        logger.LogError(e, "node {NodeId} group {GroupId} stopped serving: {Failure}", NodeId, GroupId, failure);
        timer?.Dispose();
        mailbox.Writer.TryComplete();
        tracing.EndAll(failure);
        FailPending(failure);
        foreach (var flush in flushes)
        {
            flush.Done.TrySetResult();
        }
    }

    private void FailPending(string reason)
    {
        // A proposal in flight may still commit through the other replicas: its outcome is unknown.
        foreach (var proposal in proposals.Values)
        {
            proposal.Reply.TrySetResult(new KvResponse(KvStatus.Timeout) { Detail = reason });
        }

        proposals.Clear();
        AbandonConfigurationProposals(long.MaxValue);
        FailReads(new KvResponse(KvStatus.Unavailable) { Detail = reason });
        while (mailbox.Reader.TryRead(out var item))
        {
            var response = new KvResponse(KvStatus.Unavailable) { Detail = reason };
            switch (item)
            {
                case WriteItem write:
                    write.Reply.TrySetResult(response);
                    break;
                case ReadItem read:
                    read.Reply.TrySetResult(response);
                    break;
                case StatusItem status:
                    status.Reply.TrySetResult(CurrentStatus());
                    break;
                case TransferItem transfer:
                    transfer.Reply.TrySetResult(false);
                    break;
                case TurnItem turn:
                    turn.Abandon(reason);
                    break;
                case FlushItem flush:
                    flush.Done.TrySetResult();
                    break;
            }
        }
    }
}
