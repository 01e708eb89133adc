using System.Diagnostics;

namespace OrleansRaft.Grains.Telemetry;

/// <summary>A leader's proposed batch, entries <see cref="FirstIndex"/>..<see cref="LastIndex"/> of <see cref="Term"/>, until applied.</summary>
internal sealed record OpenReplication(long FirstIndex, long LastIndex, long Term, Activity Activity);
