using System.Buffers.Binary;

namespace OrleansRaft.Testing.Simulation;

/// <summary>
/// What a simulated state machine puts in a snapshot: the index and term it covers, the chain hash of the log up to
/// there (so a restored log can be checked against the committed log) and the state hash (so a restored state
/// machine can be checked against what every other node applied), then padding derived from them, so the snapshot
/// spans several chunks and a chunk assembled wrongly is caught.
/// </summary>
public readonly record struct SimSnapshot(long Index, long Term, ulong Chain, ulong State)
{
    private const int HeaderBytes = 32;

    public byte[] Encode(int padding)
    {
        var data = new byte[HeaderBytes + padding];
        BinaryPrimitives.WriteInt64LittleEndian(data, Index);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(8), Term);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(16), Chain);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(24), State);
        for (var i = 0; i < padding; i++)
        {
            data[HeaderBytes + i] = PaddingByte(i);
        }

        return data;
    }

    /// <summary>Reads a snapshot's data back; null when it is not what some node encoded (corrupt or misassembled).</summary>
    public static SimSnapshot? Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderBytes)
        {
            return null;
        }

        var snapshot = new SimSnapshot(
            BinaryPrimitives.ReadInt64LittleEndian(data),
            BinaryPrimitives.ReadInt64LittleEndian(data[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(data[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(data[24..]));
        for (var i = 0; i < data.Length - HeaderBytes; i++)
        {
            if (data[HeaderBytes + i] != snapshot.PaddingByte(i))
            {
                return null;
            }
        }

        return snapshot;
    }

    private byte PaddingByte(int i) => (byte)(Fnv.Mix(State ^ Chain, i) >> 56);
}
