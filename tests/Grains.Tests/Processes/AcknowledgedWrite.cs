using OrleansRaft.Grains.Kv;

namespace OrleansRaft.Grains.Tests.Processes;

/// <summary>A write the cluster answered Ok, at log index <see cref="Index"/>, and the identity it was sent with.</summary>
internal sealed record AcknowledgedWrite(WorkloadCommand Command, long Index, ClientRequest Request, int Attempts);
