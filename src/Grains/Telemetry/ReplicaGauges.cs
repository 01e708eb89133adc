using System.Diagnostics.Metrics;

namespace OrleansRaft.Grains.Telemetry;

/// <summary>
/// The live replicas of this process, for the observable gauges: a reader (the SDK's export thread, a test's
/// MeterListener) asks each for the values its turn loop last published. Nothing here runs on the hot path.
/// </summary>
internal static class ReplicaGauges
{
    private static readonly Lock Gate = new();
    private static readonly List<RaftReplicaGrain> Replicas = [];

    public static void Register(RaftReplicaGrain replica)
    {
        // The gauges exist once a replica does, so a listener started before any replica still finds them.
        ReplicaDiagnostics.EnsureCreated();
        lock (Gate)
        {
            Replicas.Add(replica);
        }
    }

    public static void Unregister(RaftReplicaGrain replica)
    {
        lock (Gate)
        {
            Replicas.Remove(replica);
        }
    }

    public static IEnumerable<Measurement<long>> Term() => Read(r => r.Published.Term);

    public static IEnumerable<Measurement<int>> Role()
    {
        var measurements = new List<Measurement<int>>();
        foreach (var replica in Snapshot())
        {
            measurements.Add(new Measurement<int>(replica.Published.Role, replica.MetricTags));
        }

        return measurements;
    }

    public static IEnumerable<Measurement<long>> CommitIndex() => Read(r => r.Published.CommitIndex);

    public static IEnumerable<Measurement<long>> AppliedIndex() => Read(r => r.Published.AppliedIndex);

    public static IEnumerable<Measurement<long>> ProposalsPending() => Read(r => r.Published.ProposalsPending);

    public static IEnumerable<Measurement<long>> RequestsQueued() => Read(r => r.QueuedRequests);

    public static IEnumerable<Measurement<long>> FollowerLag()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var replica in Snapshot())
        {
            foreach (var (follower, lag) in replica.Published.FollowerLags)
            {
                KeyValuePair<string, object?>[] tags = [.. replica.MetricTags, new(RaftTelemetry.FollowerAttribute, follower)];
                measurements.Add(new Measurement<long>(lag, tags));
            }
        }

        return measurements;
    }

    private static List<Measurement<long>> Read(Func<RaftReplicaGrain, long> value)
    {
        var measurements = new List<Measurement<long>>();
        foreach (var replica in Snapshot())
        {
            measurements.Add(new Measurement<long>(value(replica), replica.MetricTags));
        }

        return measurements;
    }

    private static RaftReplicaGrain[] Snapshot()
    {
        lock (Gate)
        {
            return [.. Replicas];
        }
    }
}
