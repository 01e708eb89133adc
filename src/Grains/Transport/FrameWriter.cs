using System.Buffers.Binary;
using System.Diagnostics;

namespace OrleansRaft.Grains.Transport;

/// <summary>Appends little-endian fields to a span the caller sized exactly with <see cref="MessageCodec.GetFrameSize"/>.</summary>
internal ref struct FrameWriter(Span<byte> destination)
{
    private readonly Span<byte> destination = destination;

    public int Position { get; private set; }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination[Position..], value);
        Position += sizeof(uint);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination[Position..], value);
        Position += sizeof(long);
    }

    public void WriteByte(byte value)
    {
        destination[Position] = value;
        Position++;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[Position..]);
        Position += bytes.Length;
    }

    public void WriteTraceContext(ActivityContext context)
    {
        context.TraceId.CopyTo(destination.Slice(Position, 16));
        context.SpanId.CopyTo(destination.Slice(Position + 16, 8));
        destination[Position + 24] = (byte)context.TraceFlags;
        Position += MessageCodec.TraceContextBytes;
    }
}
