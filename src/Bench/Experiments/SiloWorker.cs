using OrleansRaft.Bench.Measurement;
using OrleansRaft.Grains;
using OrleansRaft.Grains.Kv;

namespace OrleansRaft.Bench.Experiments;

/// <summary>
/// One closed-loop client of the silo experiment: a Put of a random key (or, with the read share, a
/// linearizable Get) to the leader, following NotLeader hints within the operation's deadline. Every write
/// carries this worker's session: its own client id and the next sequence number. With <c>keyOf</c> the key comes from
/// the operation number instead; with <c>retryUntilDeadline</c> NotLeader answers are followed, and Timeout or Unavailable
/// answers retried with the same session and sequence number (applied at most once), until the deadline.
/// </summary>
internal sealed class SiloWorker : ILoadWorker
{
    private const int MaxAttempts = 5;

    private readonly SiloWorkload workload;
    private readonly Random random;
    private readonly string clientId;
    private readonly byte[] value;
    private readonly Func<long, string>? keyOf;
    private readonly bool retryUntilDeadline;
    private long sequence;

    public SiloWorker(SiloWorkload workload, int index, Func<long, string>? keyOf = null, bool retryUntilDeadline = false)
    {
        this.workload = workload;
        this.keyOf = keyOf;
        this.retryUntilDeadline = retryUntilDeadline;
        random = new Random(index + 1);
        clientId = $"{workload.RunId}-w{index}";
        value = new byte[workload.ValueBytes];
        random.NextBytes(value);
    }

    public async ValueTask<OperationResult> ExecuteAsync(long operation, CancellationToken cancellationToken)
    {
        var key = keyOf?.Invoke(operation) ?? workload.Keys[random.Next(workload.Keys.Length)];
        var read = workload.ReadPercent > 0 && random.Next(100) < workload.ReadPercent;
        var kind = read ? "get" : "put";
        // Closed loop: every earlier request of this session has its answer, so the lowest unanswered is this one.
        ClientRequest? request = read ? null : new ClientRequest(clientId, ++sequence, sequence);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(workload.Timeout);
        for (var attempt = 1; ; attempt++)
        {
            var target = workload.Leader;
            var client = workload.Client(target);
            var response = read
                ? await client.Get(key, ReadConsistency.Linearizable, deadline.Token)
                : await client.Put(key, value, request, deadline.Token);
            cancellationToken.ThrowIfCancellationRequested();
            switch (response.Status)
            {
                case KvStatus.Ok:
                case KvStatus.NotFound when read:
                    return OperationResult.Success(kind);
                case KvStatus.NotLeader when attempt < MaxAttempts || retryUntilDeadline:
                    if (response.LeaderHint > 0 && response.LeaderHint <= workload.Nodes && response.LeaderHint != target)
                    {
                        workload.FollowHint(target, response.LeaderHint);
                        continue;
                    }

                    // No hint yet (an election is running): give it a moment, then ask the next silo.
                    try
                    {
                        await Task.Delay(20, deadline.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        return OperationResult.Failure(kind, nameof(KvStatus.Timeout));
                    }

                    workload.FollowHint(target, (target % workload.Nodes) + 1);
                    continue;
                case KvStatus.Timeout or KvStatus.Unavailable when retryUntilDeadline && !read && !deadline.IsCancellationRequested:
                    try
                    {
                        await Task.Delay(50, deadline.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        return OperationResult.Failure(kind, nameof(KvStatus.Timeout));
                    }

                    continue;
                default:
                    return OperationResult.Failure(kind, response.Status.ToString());
            }
        }
    }
}
