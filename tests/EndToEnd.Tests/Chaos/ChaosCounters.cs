using System.Collections.Concurrent;
using System.Globalization;
using OrleansRaft.Testing.Linearizability;

namespace OrleansRaft.EndToEnd.Tests.Chaos;

/// <summary>What the chaos clients did, counted as they go (thread-safe): operations by kind and outcome, answers by status.</summary>
public sealed class ChaosCounters
{
    private const int UnexpectedSamples = 20;

    private readonly ConcurrentDictionary<(KvOperationKind Kind, AttemptOutcome Outcome), int> operations = new();
    private readonly ConcurrentDictionary<string, int> answers = new();
    private readonly ConcurrentQueue<TimeSpan> writeAcks = new();
    private readonly ConcurrentQueue<string> unexpected = new();
    private int unexpectedCount;
    private int retries;

    /// <summary>Answers a valid request should never get (see <see cref="ClassifiedAttempt.Unexpected"/>).</summary>
    public int UnexpectedCount => Volatile.Read(ref unexpectedCount);

    public IReadOnlyList<string> UnexpectedSamplesSeen => [.. unexpected];

    public int Count(KvOperationKind kind, AttemptOutcome outcome) => operations.GetValueOrDefault((kind, outcome));

    public int Count(AttemptOutcome outcome) => operations.Where(p => p.Key.Outcome == outcome).Sum(p => p.Value);

    public int AcknowledgedWrites => operations.Where(p => p.Key.Kind != KvOperationKind.Get && p.Key.Outcome == AttemptOutcome.Done).Sum(p => p.Value);

    public int AcknowledgedWritesSince(TimeSpan at) => writeAcks.Count(t => t >= at);

    public void Answer(GatewayAttempt attempt, ClassifiedAttempt classified, string what)
    {
        var label = attempt.Status is { } status
            ? ((int)status).ToString(CultureInfo.InvariantCulture)
            : attempt.Error is TaskCanceledException ? "timeout" : "connection error";
        answers.AddOrUpdate(label, 1, (_, n) => n + 1);
        if (classified.Unexpected is { } description)
        {
            if (Interlocked.Increment(ref unexpectedCount) <= UnexpectedSamples)
            {
                unexpected.Enqueue($"{what}: {description}");
            }
        }
    }

    public void Retry() => Interlocked.Increment(ref retries);

    /// <param name="at">When it ended, on the test's clock (kept for acknowledged writes).</param>
    public void Operation(KvOperationKind kind, AttemptOutcome outcome, TimeSpan at)
    {
        operations.AddOrUpdate((kind, outcome), 1, (_, n) => n + 1);
        if (kind != KvOperationKind.Get && outcome == AttemptOutcome.Done)
        {
            writeAcks.Enqueue(at);
        }
    }

    /// <summary>Lines for the test output: per kind done / failed / unknown, answers by status, retries.</summary>
    public string Describe()
    {
        var lines = Enum.GetValues<KvOperationKind>().Select(kind =>
            $"  {kind,-6} {Count(kind, AttemptOutcome.Done),6} done {Count(kind, AttemptOutcome.NotApplied),5} failed {Count(kind, AttemptOutcome.Unknown),5} unknown");
        var total = $"  all    {Count(AttemptOutcome.Done),6} done {Count(AttemptOutcome.NotApplied),5} failed {Count(AttemptOutcome.Unknown),5} unknown; {AcknowledgedWrites} acknowledged writes";
        var byStatus = string.Join(", ", answers.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"));
        return string.Join('\n', [.. lines, total, $"  answers by status: {byStatus}; write attempts repeated with the same Idempotency-Key: {Volatile.Read(ref retries)}"]);
    }
}
