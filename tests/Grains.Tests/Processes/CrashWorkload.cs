using System.Collections.Concurrent;
using System.Globalization;
using OrleansRaft.Grains.Kv;
using OrleansRaft.Testing.Processes;

namespace OrleansRaft.Grains.Tests.Processes;

/// <summary>
/// Workers that write commands 0..count-1 through the leader, one at a time each. Every command has its
/// worker's client id and the next sequence number, and is repeated with that same identity until it is Ok.
/// Every sixteenth is sent once more after its Ok, as by a client whose reply was lost: the answer must be
/// the first one (same index), and the write must not apply again.
/// </summary>
internal sealed class CrashWorkload(ClusterKvClient client, int count, int workers, string runId, Action<int>? acked = null)
{
    private readonly ConcurrentQueue<AcknowledgedWrite> acknowledged = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource> milestones = new();
    private int next = -1;
    private int ackCount;
    private int repeats;

    public int Acked => Volatile.Read(ref ackCount);

    public IReadOnlyCollection<AcknowledgedWrite> Acknowledged => acknowledged;

    /// <summary>Acknowledged writes sent again on purpose with the same identity.</summary>
    public int Repeats => Volatile.Read(ref repeats);

    /// <summary>Completes once <paramref name="acks"/> writes were acknowledged.</summary>
    public Task WhenAcked(int acks)
    {
        var milestone = milestones.GetOrAdd(acks, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (Acked >= acks)
        {
            milestone.TrySetResult();
        }

        return milestone.Task;
    }

    /// <param name="commandDeadline">How long one command may take, all its attempts together.</param>
    public Task RunAsync(TimeSpan commandDeadline, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkerAsync(w, commandDeadline, cancellationToken), CancellationToken.None)));

    private async Task WorkerAsync(int worker, TimeSpan commandDeadline, CancellationToken cancellationToken)
    {
        var clientId = $"{runId}-w{worker.ToString(CultureInfo.InvariantCulture)}";
        long sequence = 0;
        int number;
        while ((number = Interlocked.Increment(ref next)) < count)
        {
            var command = WorkloadCommand.For(number);
            var bytes = command.Bytes;
            sequence++;

            // One command in flight per worker: everything below this sequence was answered.
            var request = new ClientRequest(clientId, sequence, sequence);
            var attempts = 0;
            Task<KvResponse> Send(IKvReplica replica, CancellationToken token)
            {
                attempts++;
                return command.IsAppend ? replica.Append(command.Key, bytes, request, token) : replica.Put(command.Key, bytes, request, token);
            }

            var response = await CallAsync(Send, command, request, commandDeadline, cancellationToken, () => attempts);
            var firstAttempts = attempts;
            if (number % 16 == 5)
            {
                var again = await CallAsync(Send, command, request, commandDeadline, cancellationToken, () => attempts);
                if (again.Index != response.Index)
                {
                    throw new InvalidOperationException($"{command} as {request} sent again after its Ok answered index {again.Index}, the first time {response.Index}: applied twice?");
                }

                Interlocked.Increment(ref repeats);
            }

            acknowledged.Enqueue(new AcknowledgedWrite(command, response.Index, request, firstAttempts));
            var acks = Interlocked.Increment(ref ackCount);
            if (milestones.TryGetValue(acks, out var milestone))
            {
                milestone.TrySetResult();
            }

            acked?.Invoke(acks);
        }
    }

    /// <summary>Sends until Ok within <paramref name="commandDeadline"/>; anything else fails the workload.</summary>
    private async Task<KvResponse> CallAsync(Func<IKvReplica, CancellationToken, Task<KvResponse>> send, WorkloadCommand command, ClientRequest request, TimeSpan commandDeadline, CancellationToken cancellationToken, Func<int> attempts)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(commandDeadline);
        KvResponse response;
        try
        {
            response = await client.CallAsync(send, deadline.Token);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{command} as {request} got no Ok within {commandDeadline.TotalSeconds:0.#} s ({attempts()} attempts): {e.Message}", e);
        }

        return response.Status == KvStatus.Ok
            ? response
            : throw new InvalidOperationException($"{command} as {request} ended {response.Status} after {attempts()} attempts: {response.Detail}");
    }
}
