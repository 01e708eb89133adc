using System.Buffers;

namespace OrleansRaft.Raft;

/// <summary>
/// A snapshot a follower is receiving chunk by chunk (Figure 13 steps 2-4), in memory. It belongs to one leader's
/// term: two leaders may serialize the same state differently, so only chunks of the same term, index and snapshot
/// term extend it.
/// </summary>
internal sealed class IncomingSnapshot(long leaderTerm, long index, long term, Configuration configuration)
{
    private readonly ArrayBufferWriter<byte> data = new();

    public long LeaderTerm { get; } = leaderTerm;

    public long Index { get; } = index;

    public long Term { get; } = term;

    public Configuration Configuration { get; } = configuration;

    /// <summary>Bytes received so far: the offset of the chunk expected next.</summary>
    public long Received => data.WrittenCount;

    public bool IsFor(long leaderTerm, long index, long term, Configuration configuration) =>
        LeaderTerm == leaderTerm && Index == index && Term == term && Configuration.Equals(configuration);

    public void Append(ReadOnlySpan<byte> chunk) => data.Write(chunk);

    public Snapshot ToSnapshot() => new(Index, Term, Configuration, data.WrittenMemory);
}
