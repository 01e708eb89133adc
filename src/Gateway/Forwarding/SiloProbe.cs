using OrleansRaft.Grains;

namespace OrleansRaft.Gateway.Forwarding;

/// <summary>One silo's answer to a status call: its <see cref="ReplicaStatus"/>, or why there was none.</summary>
internal readonly record struct SiloProbe(long Id, Uri Address, ReplicaStatus? Status, string? Error);
