using OrleansRaft.Grains.Kv;

namespace OrleansRaft.Grains.Client;

/// <summary>The body of <c>POST /replica/v1/{group}/kv</c>: one <see cref="IKvReplica"/> call.</summary>
/// <param name="Value">The value of a put or the suffix of an append; base64 in JSON.</param>
/// <param name="Request">The client session identity of a write, so a retry applies once.</param>
/// <param name="Consistency">For a get; linearizable when absent.</param>
public sealed record KvRequestMessage(
    KvCall Call,
    string Key,
    byte[]? Value = null,
    ClientRequest? Request = null,
    ReadConsistency? Consistency = null);
