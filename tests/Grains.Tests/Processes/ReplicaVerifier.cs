using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using OrleansRaft.Testing.Processes;

namespace OrleansRaft.Grains.Tests.Processes;

/// <summary>
/// Checks a replica's own applied state (stale reads) against the acknowledged writes: every put is there with
/// its value, and every shared key holds each acknowledged token exactly once, in log order.
/// </summary>
internal static partial class ReplicaVerifier
{
    private const int Parallelism = 16;
    private const int ReadAttempts = 5;
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Every problem in <paramref name="silo"/>'s own applied state (stale reads); empty when it is right.</summary>
    /// <param name="appliedIndex">The index every replica converged on: each stale read must reflect exactly it.</param>
    public static Task<IReadOnlyList<string>> CheckStaleAsync(SiloProcess silo, IReadOnlyCollection<AcknowledgedWrite> acks, long appliedIndex) =>
        CheckAsync($"node {silo.NodeId}", key => StaleReadAsync(silo, key), acks, appliedIndex);

    /// <summary>Every problem seen through linearizable reads on whichever silo leads; empty when the state is right.</summary>
    public static Task<IReadOnlyList<string>> CheckLinearizableAsync(ClusterKvClient client, IReadOnlyCollection<AcknowledgedWrite> acks) =>
        CheckAsync("the leader", key => LinearizableReadAsync(client, key), acks, null);

    private static async Task<IReadOnlyList<string>> CheckAsync(string replica, Func<string, Task<(KvResponse? Response, string? Failure)>> read, IReadOnlyCollection<AcknowledgedWrite> acks, long? appliedIndex)
    {
        var problems = new ConcurrentQueue<string>();
        var puts = acks.Where(a => !a.Command.IsAppend).ToList();
        await Parallel.ForEachAsync(puts, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (ack, _) =>
        {
            var (response, failure) = await read(ack.Command.Key);
            if (failure is not null)
            {
                problems.Enqueue(failure);
            }
            else if (response!.Status == KvStatus.NotFound)
            {
                problems.Enqueue($"{replica}: acknowledged {ack.Command} (index {ack.Index}, {ack.Request}) is MISSING (read at index {response.Index})");
            }
            else if (Encoding.UTF8.GetString(response.Value!) is var value && value != ack.Command.Payload)
            {
                problems.Enqueue($"{replica}: {ack.Command.Key} is '{value}', acknowledged {ack.Command} (index {ack.Index})");
            }
            else if (appliedIndex is { } index && response.Index != index)
            {
                problems.Enqueue($"{replica}: a stale read of {ack.Command.Key} reflects index {response.Index}, not the converged {index}");
            }
        });

        for (var which = 0; which < WorkloadCommand.SharedKeys; which++)
        {
            var key = WorkloadCommand.SharedKey(which);
            var expected = acks.Where(a => a.Command.IsAppend && a.Command.Key == key).OrderBy(a => a.Index).Select(a => a.Command.Payload).ToList();
            var (response, failure) = await read(key);
            if (failure is not null)
            {
                problems.Enqueue(failure);
                continue;
            }

            var value = response!.Status == KvStatus.Ok ? Encoding.UTF8.GetString(response.Value!) : string.Empty;
            foreach (var problem in CompareTokens(replica, key, value, expected))
            {
                problems.Enqueue(problem);
            }
        }

        return [.. problems];
    }

    private static IEnumerable<string> CompareTokens(string node, string key, string value, List<string> expected)
    {
        var tokens = Token().Matches(value).Select(m => m.Value).ToList();
        if (string.Concat(tokens) != value)
        {
            yield return $"{node}: {key} holds bytes that are no token: '{Shorten(value)}'";
        }

        var counts = tokens.GroupBy(t => t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var token in expected)
        {
            var times = counts.GetValueOrDefault(token);
            if (times != 1)
            {
                yield return $"{node}: {key} holds acknowledged append {token} {times} times{(times > 1 ? " (APPLIED MORE THAN ONCE)" : " (MISSING)")}";
            }
        }

        var expectedSet = expected.ToHashSet(StringComparer.Ordinal);
        foreach (var token in counts.Keys.Where(t => !expectedSet.Contains(t)))
        {
            yield return $"{node}: {key} holds {token}, which was never acknowledged";
        }

        if (counts.Values.All(c => c == 1) && tokens.Count == expected.Count && !tokens.SequenceEqual(expected))
        {
            var at = tokens.Zip(expected).TakeWhile(p => p.First == p.Second).Count();
            yield return $"{node}: {key} holds the acknowledged appends out of log order from position {at}: {tokens[at]} where index order has {expected[at]}";
        }
    }

    private static async Task<(KvResponse? Response, string? Failure)> StaleReadAsync(SiloProcess silo, string key)
    {
        KvResponse? response = null;
        for (var attempt = 1; attempt <= ReadAttempts; attempt++)
        {
            using var timeout = new CancellationTokenSource(ReadTimeout);
            response = await silo.Client.Get(key, ReadConsistency.Stale, timeout.Token);
            if (response.Status is KvStatus.Ok or KvStatus.NotFound)
            {
                return (response, null);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt));
        }

        return (null, $"node {silo.NodeId}: a stale read of {key} failed {ReadAttempts} times, last {response!.Status}: {response.Detail}");
    }

    private static async Task<(KvResponse? Response, string? Failure)> LinearizableReadAsync(ClusterKvClient client, string key)
    {
        using var deadline = new CancellationTokenSource(ReadTimeout * ReadAttempts);
        try
        {
            return (await client.CallAsync((replica, token) => replica.Get(key, ReadConsistency.Linearizable, token), deadline.Token), null);
        }
        catch (TimeoutException e)
        {
            return (null, $"a linearizable read of {key} failed: {e.Message}");
        }
    }

    private static string Shorten(string value) => value.Length <= 200 ? value : $"{value[..100]}…{value[^100..]}";

    [GeneratedRegex("<[0-9]+>")]
    private static partial Regex Token();
}
