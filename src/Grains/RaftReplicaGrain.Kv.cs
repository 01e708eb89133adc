using System.Diagnostics;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Grains.Mailbox;
using OrleansRaft.Raft;

namespace OrleansRaft.Grains;

public sealed partial class RaftReplicaGrain : IKvReplica
{
    private readonly List<WriteItem> batch = [];
    private readonly List<ReadOnlyMemory<byte>> batchCommands = [];
    private readonly List<ActivityContext> batchCallers = [];
    private readonly Dictionary<long, PendingProposal> proposals = [];
    private readonly Dictionary<long, ReadItem> readsById = [];
    private readonly PriorityQueue<ReadItem, long> readsWaitingForApply = new();
    private long nextReadId;

    public Task<KvResponse> Put(string key, ReadOnlyMemory<byte> value, ClientRequest? request, CancellationToken cancellationToken) =>
        Write(KvOperation.Put, key, value, request, cancellationToken);

    public Task<KvResponse> Append(string key, ReadOnlyMemory<byte> suffix, ClientRequest? request, CancellationToken cancellationToken) =>
        Write(KvOperation.Append, key, suffix, request, cancellationToken);

    public Task<KvResponse> Delete(string key, ClientRequest? request, CancellationToken cancellationToken) =>
        Write(KvOperation.Delete, key, ReadOnlyMemory<byte>.Empty, request, cancellationToken);

    public Task<KvResponse> Get(string key, ReadConsistency consistency, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<KvResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        return Enqueue(new ReadItem(key, consistency, reply), reply, cancellationToken);
    }

    public async Task<ReplicaStatus> Status(CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<ReplicaStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!mailbox.Writer.TryWrite(new StatusItem(reply)))
        {
            return new ReplicaStatus(NodeId, GroupId, "follower", 0, 0, 0, kv.AppliedIndex, 0, 0, [], [], failure ?? "stopped");
        }

        return await reply.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Asks this replica, if leader, to hand leadership to <paramref name="to"/> (thesis §3.10).</summary>
    public async Task<bool> TransferLeadership(long to, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        return mailbox.Writer.TryWrite(new TransferItem(to, reply, Activity.Current)) && await reply.Task.WaitAsync(cancellationToken);
    }

    private Task<KvResponse> Write(KvOperation operation, string key, ReadOnlyMemory<byte> value, ClientRequest? request, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<KvResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        return Enqueue(new WriteItem(operation, key, value, request, reply, cancellationToken, Activity.Current), reply, cancellationToken);
    }

    private async Task<KvResponse> Enqueue(MailboxItem item, TaskCompletionSource<KvResponse> reply, CancellationToken cancellationToken)
    {
        if (failure is { } reason)
        {
            return new KvResponse(KvStatus.Unavailable) { Detail = reason };
        }

        if (Interlocked.Increment(ref pendingRequests) > options.MaxPendingRequests)
        {
            Interlocked.Decrement(ref pendingRequests);
            return new KvResponse(KvStatus.Unavailable) { Detail = "the replica is overloaded" };
        }

        if (!mailbox.Writer.TryWrite(item))
        {
            Interlocked.Decrement(ref pendingRequests);
            return new KvResponse(KvStatus.Unavailable) { Detail = failure ?? "the replica is stopping" };
        }

        try
        {
            return await reply.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new KvResponse(KvStatus.Timeout) { Detail = "no outcome before the deadline" };
        }
    }

    /// <summary>All writes of one turn become one proposal: one batch of entries, one store write.</summary>
    private void ProposeBatch()
    {
        if (batch.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        batchCommands.Clear();
        foreach (var write in batch)
        {
            batchCommands.Add(new KvCommand(write.Operation, write.Key, write.Value, write.Request, now).Encode());
        }

        var result = node.Propose(batchCommands);
        if (traced && result.Accepted)
        {
            batchCallers.Clear();
            foreach (var write in batch)
            {
                if (write.Caller is { } caller)
                {
                    batchCallers.Add(caller.Context);
                }
            }

            tracing.OnProposed(result, batchCommands, batchCallers);
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (result.Accepted)
            {
                proposals[result.Index + i] = new PendingProposal(result.Term, batch[i].Operation, batch[i].Reply);
            }
            else
            {
                batch[i].Reply.TrySetResult(new KvResponse(KvStatus.NotLeader) { LeaderHint = result.LeaderHint, Detail = result.Status.ToString() });
            }
        }

        batch.Clear();
    }

    private void Apply(IReadOnlyList<LogEntry> entries)
    {
        foreach (var entry in entries)
        {
            var result = kv.Apply(entry);
            if (entry.Kind == EntryKind.Configuration)
            {
                OnConfigurationApplied(entry);
            }
            if (tracing.HasOpenReplications)
            {
                tracing.OnApplied(entry, node);
            }

            if (!proposals.Remove(entry.Index, out var proposal))
            {
                continue;
            }

            if (proposal.Term != entry.Term || result is not { } applied)
            {
                // Another leader's entry took this index: this proposal was not applied here.
                proposal.Reply.TrySetResult(new KvResponse(KvStatus.NotLeader) { LeaderHint = node.Leader, Detail = "superseded before it committed" });
                continue;
            }

            proposal.Reply.TrySetResult(applied.Stale
                ? new KvResponse(KvStatus.Stale) { Detail = "a retry older than the replies this session keeps" }
                : new KvResponse(KvStatus.Ok) { Index = applied.Index, Length = applied.Length, Deleted = proposal.Operation == KvOperation.Delete && applied.Existed });
        }

        AnswerAppliedReads();
        SyncPeers();
    }

    private void AnswerAppliedReads()
    {
        while (readsWaitingForApply.TryPeek(out var read, out var index) && index <= kv.AppliedIndex)
        {
            readsWaitingForApply.Dequeue();
            AnswerRead(read, index);
        }
    }

    private void StartRead(ReadItem read)
    {
        if (read.Consistency == ReadConsistency.Stale)
        {
            AnswerRead(read, kv.AppliedIndex);
            return;
        }

        var id = ++nextReadId;
        var result = node.ReadIndex(id);
        if (!result.Accepted)
        {
            read.Reply.TrySetResult(new KvResponse(KvStatus.NotLeader) { LeaderHint = result.LeaderHint });
            return;
        }

        readsById[id] = read;
    }

    private void OnReadStates(IReadOnlyList<ReadState> readStates)
    {
        foreach (var state in readStates)
        {
            if (!readsById.Remove(state.RequestId, out var read))
            {
                continue;
            }

            if (state.Index <= kv.AppliedIndex)
            {
                AnswerRead(read, state.Index);
            }
            else
            {
                readsWaitingForApply.Enqueue(read, state.Index);
            }
        }
    }

    private void AnswerRead(ReadItem read, long index) =>
        read.Reply.TrySetResult(kv.TryGet(read.Key, out var value)
            ? new KvResponse(KvStatus.Ok) { Index = index, Value = value }
            : new KvResponse(KvStatus.NotFound) { Index = index });

    private void FailReads(KvResponse response)
    {
        foreach (var read in readsById.Values)
        {
            read.Reply.TrySetResult(response);
        }

        readsById.Clear();
        while (readsWaitingForApply.TryDequeue(out var read, out _))
        {
            read.Reply.TrySetResult(response);
        }
    }
}
