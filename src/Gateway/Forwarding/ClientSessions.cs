using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace OrleansRaft.Gateway.Forwarding;

/// <summary>
/// The client sessions (thesis §6.3) of requests without an Idempotency-Key: a random id per gateway process,
/// one <see cref="SessionSlot"/> per request in flight. A slot has only one request outstanding, so its
/// LowestUnanswered is that request's own sequence and the state machine never holds more than one reply per
/// slot — unlike one shared session, whose replies a long-stuck request could see evicted by the state
/// machine's per-session cap and then be applied twice on retry.
/// </summary>
internal sealed class ClientSessions
{
    private readonly ConcurrentBag<SessionSlot> idle = [];
    private int created;

    /// <summary>"gw-" and 64 random bits: unique across gateway processes, well under the 256-byte client id cap.</summary>
    public string Prefix { get; } = "gw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) + "-";

    public int Created => Volatile.Read(ref created);

    public SessionSlot Rent() =>
        idle.TryTake(out var slot) ? slot : new SessionSlot(Prefix + Interlocked.Increment(ref created).ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Call once the slot's request is answered or given up: it will not be retried any more.</summary>
    public void Return(SessionSlot slot) => idle.Add(slot);
}
