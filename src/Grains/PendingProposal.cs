using OrleansRaft.Grains.Kv;

namespace OrleansRaft.Grains;

/// <summary>A write waiting for the entry at its index to be applied; it committed iff that entry has this term.</summary>
internal sealed record PendingProposal(long Term, KvOperation Operation, TaskCompletionSource<KvResponse> Reply);
