namespace OrleansRaft.Grains.Kv;

/// <summary>
/// The outcome of one applied write: the log index it took effect at, whether the key existed before (for
/// Delete), and the value's length after (for Append). <see cref="Stale"/> marks a retry older than the
/// replies the session still keeps: it was answered before and its reply is gone.
/// </summary>
public readonly record struct KvResult(long Index, bool Existed, long Length, bool Stale = false);
