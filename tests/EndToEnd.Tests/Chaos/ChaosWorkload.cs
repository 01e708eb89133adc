using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using OrleansRaft.Testing.Linearizability;

namespace OrleansRaft.EndToEnd.Tests.Chaos;

/// <summary>
/// Clients that run Put / Append / Get / Delete over a few keys through the gateway and record every operation in a
/// <see cref="KvHistory"/>: begun just before its first request, completed when a request proves it took effect,
/// failed when every request was refused unapplied, unknown otherwise. A write keeps one Idempotency-Key over all its
/// attempts, so a repeat is applied at most once and the history may hold it as one operation. Every value written
/// is unique (client id and sequence), so a read names the writes it saw.
/// </summary>
public sealed class ChaosWorkload(GatewayClient gateway, KvHistory history, ChaosCounters counters, IReadOnlyList<string> keys, Func<TimeSpan> now)
{
    /// <summary>Requests per write before it is given up as unknown (or failed, when none may have applied).</summary>
    public const int WriteAttempts = 3;

    private static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FinalReadBackoff = TimeSpan.FromMilliseconds(250);

    private int lastClientId;

    /// <summary>Client ids handed out: a client takes a fresh one after an unknown outcome (see <see cref="RunClientAsync"/>).</summary>
    public int ClientIds => Volatile.Read(ref lastClientId);

    /// <summary><paramref name="count"/> clients (<see cref="RunClientAsync"/>), client i on <c>Random(seed * 31 + i + 1)</c>.</summary>
    public List<Task> StartClients(int count, int seed, CancellationToken stop) =>
        [.. Enumerable.Range(0, count).Select(i => Task.Run(() => RunClientAsync(new Random(unchecked((seed * 31) + i + 1)), stop)))];

    /// <summary>
    /// One client, sequential, until <paramref name="stop"/>: 40% Get, 25% Put, 25% Append, 10% Delete, keys uniform.
    /// An operation whose outcome is unknown stays open in the history for ever, so the client goes on under a new id:
    /// each id then has at most one operation open at a time, as the checker's clients must.
    /// </summary>
    public async Task RunClientAsync(Random random, CancellationToken stop)
    {
        var clientId = NewClientId();
        var sequence = 0;
        while (!stop.IsCancellationRequested)
        {
            var key = keys[random.Next(keys.Count)];
            var roll = random.Next(100);
            sequence++;
            var name = $"{clientId}.{sequence}";
            var outcome = roll switch
            {
                < 40 => await GetAsync(clientId, key),
                < 65 => await WriteAsync(clientId, KvOperationKind.Put, key, name, name),
                < 90 => await WriteAsync(clientId, KvOperationKind.Append, key, "+" + name, name),
                _ => await WriteAsync(clientId, KvOperationKind.Delete, key, null, name),
            };
            if (outcome == AttemptOutcome.Unknown)
            {
                clientId = NewClientId();
            }
        }
    }

    /// <summary>
    /// One writer of keys nobody else writes (<c>{prefix}/1</c>, <c>{prefix}/2</c>, …), one Put each, sequential, until
    /// <paramref name="stop"/>. Every acknowledged Put lands in <paramref name="acknowledged"/> (key → value) so that the
    /// test can read each one back at the end: none may be lost, whatever happened to the cluster meanwhile.
    /// </summary>
    public async Task RunLedgerWriterAsync(string prefix, ConcurrentDictionary<string, string> acknowledged, CancellationToken stop)
    {
        var clientId = NewClientId();
        for (var sequence = 1; !stop.IsCancellationRequested; sequence++)
        {
            var key = $"{prefix}/{sequence}";
            var value = $"{prefix}.{sequence}";
            switch (await WriteAsync(clientId, KvOperationKind.Put, key, value, value))
            {
                case AttemptOutcome.Done:
                    acknowledged[key] = value;
                    break;
                case AttemptOutcome.Unknown:
                    clientId = NewClientId();
                    break;
            }
        }
    }

    /// <summary>
    /// A linearizable read of <paramref name="key"/>, repeated until one request answers or <paramref name="deadline"/>
    /// passes; the whole span is one Get of the history. Returns the outcome (Unknown when time ran out).
    /// </summary>
    public async Task<(AttemptOutcome Outcome, string? Value, string LastAnswer)> ReadUntilAnsweredAsync(string key, TimeSpan deadline)
    {
        var clientId = NewClientId();
        var operation = history.Begin(clientId, KvOperationKind.Get, key);
        var clock = Stopwatch.StartNew();
        var last = "no attempt";
        while (true)
        {
            using var request = Request(KvOperationKind.Get, key, null);
            var attempt = await gateway.AttemptAsync(request, null);
            var classified = OutcomeMapping.Classify(KvOperationKind.Get, attempt);
            counters.Answer(attempt, classified, $"final GET {key}");
            last = attempt.ToString();
            if (classified.Outcome == AttemptOutcome.Done)
            {
                history.Complete(operation, classified.Value);
                counters.Operation(KvOperationKind.Get, AttemptOutcome.Done, now());
                return (AttemptOutcome.Done, classified.Value, last);
            }

            if (clock.Elapsed > deadline)
            {
                history.Unknown(operation);
                counters.Operation(KvOperationKind.Get, AttemptOutcome.Unknown, now());
                return (AttemptOutcome.Unknown, null, last);
            }

            await Task.Delay(FinalReadBackoff);
        }
    }

    private async Task<AttemptOutcome> GetAsync(int clientId, string key)
    {
        // One request: a read that did not answer tells nothing, and the next read is soon anyway.
        var operation = history.Begin(clientId, KvOperationKind.Get, key);
        using var request = Request(KvOperationKind.Get, key, null);
        var attempt = await gateway.AttemptAsync(request, null);
        var classified = OutcomeMapping.Classify(KvOperationKind.Get, attempt);
        Resolve(operation, KvOperationKind.Get, classified.Outcome, classified.Value);
        counters.Answer(attempt, classified, $"GET {key}");
        return classified.Outcome;
    }

    private async Task<AttemptOutcome> WriteAsync(int clientId, KvOperationKind kind, string key, string? input, string name)
    {
        var idempotencyKey = "chaos-" + name;
        var operation = history.Begin(clientId, kind, key, input);
        var mayHaveApplied = false;
        for (var attempt = 1; ; attempt++)
        {
            using var request = Request(kind, key, input);
            var answer = await gateway.AttemptAsync(request, idempotencyKey);
            var classified = OutcomeMapping.Classify(kind, answer);
            counters.Answer(answer, classified, $"{kind} {key} (Idempotency-Key {idempotencyKey}, attempt {attempt})");
            if (classified.Outcome == AttemptOutcome.Done)
            {
                Resolve(operation, kind, AttemptOutcome.Done, null);
                return AttemptOutcome.Done;
            }

            // One attempt that may have applied makes the whole write unknown, whatever later attempts say.
            mayHaveApplied |= classified.Outcome == AttemptOutcome.Unknown;
            if (attempt == WriteAttempts)
            {
                var outcome = mayHaveApplied ? AttemptOutcome.Unknown : AttemptOutcome.NotApplied;
                Resolve(operation, kind, outcome, null);
                return outcome;
            }

            counters.Retry();
            await Task.Delay(RetryBackoff * attempt);
        }
    }

    private void Resolve(PendingOperation operation, KvOperationKind kind, AttemptOutcome outcome, string? value)
    {
        switch (outcome)
        {
            case AttemptOutcome.Done:
                history.Complete(operation, value);
                break;
            case AttemptOutcome.NotApplied:
                history.Failed(operation);
                break;
            default:
                history.Unknown(operation);
                break;
        }

        counters.Operation(kind, outcome, now());
    }

    private static HttpRequestMessage Request(KvOperationKind kind, string key, string? input) => kind switch
    {
        KvOperationKind.Get => new HttpRequestMessage(HttpMethod.Get, GatewayClient.KeyPath(key)),
        KvOperationKind.Put => new HttpRequestMessage(HttpMethod.Put, GatewayClient.KeyPath(key)) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(input!)) },
        KvOperationKind.Append => new HttpRequestMessage(HttpMethod.Post, GatewayClient.KeyPath(key) + "/append") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(input!)) },
        _ => new HttpRequestMessage(HttpMethod.Delete, GatewayClient.KeyPath(key)),
    };

    private int NewClientId() => Interlocked.Increment(ref lastClientId);
}
