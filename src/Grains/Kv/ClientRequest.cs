namespace OrleansRaft.Grains.Kv;

/// <summary>
/// Who sent a write, so a retry is applied once (thesis §6.3). <paramref name="Sequence"/> numbers the
/// session's requests; <paramref name="LowestUnanswered"/> is the lowest sequence the client may still retry,
/// so the state machine can forget older replies. An Idempotency-Key maps to its own session with sequence 1.
/// </summary>
public readonly record struct ClientRequest(string ClientId, long Sequence, long LowestUnanswered)
{
    public const int MaxClientIdBytes = 256;

    public static ClientRequest ForIdempotencyKey(string key) => new("idem:" + key, 1, 1);
}
