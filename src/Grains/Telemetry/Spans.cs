using System.Diagnostics;

namespace OrleansRaft.Grains.Telemetry;

/// <summary>
/// Starts and stops replica spans without touching <see cref="Activity.Current"/>. A turn loop keeps many spans
/// open across turns (an election, a batch until it commits); were one of them current, every later span of
/// the loop would become its child, and <see cref="Activity.Stop"/> sets Current to the stopped span's parent.
/// </summary>
internal static class Spans
{
    /// <summary>A span with exactly <paramref name="parent"/> as parent (a root when default); null when nobody listens.</summary>
    public static Activity? Start(string name, ActivityContext parent, ActivityKind kind = ActivityKind.Internal, IEnumerable<ActivityLink>? links = null)
    {
        var previous = Activity.Current;
        // StartActivity falls back to Activity.Current when the parent is default: clear it for a true root.
        Activity.Current = null;
        var activity = ReplicaDiagnostics.Source.StartActivity(name, kind, parent, tags: null, links);
        Activity.Current = previous;
        return activity;
    }

    public static void Stop(Activity activity)
    {
        var previous = Activity.Current;
        activity.Stop();
        Activity.Current = previous;
    }

    /// <summary>Tags every replica span carries.</summary>
    public static Activity Identify(this Activity activity, long nodeId, long groupId, long term) =>
        activity.SetTag(RaftTelemetry.NodeAttribute, nodeId).SetTag(RaftTelemetry.GroupAttribute, groupId).SetTag(RaftTelemetry.TermAttribute, term);
}
