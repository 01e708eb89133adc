namespace OrleansRaft.Raft.Benchmarks;

/// <summary>
/// A fixed ring of distinct payloads cut from one buffer, so proposing allocates nothing in the harness. The core
/// keeps the <see cref="ReadOnlyMemory{T}"/> it is given (no copy), as a host handing it pooled buffers would.
/// </summary>
internal sealed class Payloads
{
    private const int Count = 4096; // a power of two
    private readonly ReadOnlyMemory<byte>[] slices = new ReadOnlyMemory<byte>[Count];
    private int next;

    public Payloads(int size)
    {
        var buffer = new byte[(long)size * Count];
        new Random(42).NextBytes(buffer);
        for (var i = 0; i < Count; i++)
        {
            slices[i] = buffer.AsMemory(i * size, size);
        }
    }

    public void Fill(ReadOnlyMemory<byte>[] batch)
    {
        var n = next;
        for (var i = 0; i < batch.Length; i++)
        {
            batch[i] = slices[n];
            n = (n + 1) & (Count - 1);
        }

        next = n;
    }
}
