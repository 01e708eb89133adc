using System.Diagnostics;

namespace OrleansRaft.Grains.Telemetry;

/// <summary>Entries a follower received with a trace context, so applying them later joins the same trace.</summary>
internal readonly record struct RecentAppend(long FirstIndex, long LastIndex, ActivityContext Context);
