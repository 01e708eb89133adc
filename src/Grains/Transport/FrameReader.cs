using System.Buffers.Binary;
using System.Diagnostics;

namespace OrleansRaft.Grains.Transport;

/// <summary>
/// Reads the fields of one frame. Every read checks what is left first, so a truncated or lying frame ends in
/// <see cref="FormatException"/>, never in an out-of-range access or an allocation sized by the sender.
/// </summary>
internal ref struct FrameReader(ReadOnlyMemory<byte> frame)
{
    // Fields are read through the span (cheap); the memory is kept only to hand out payload slices.
    private readonly ReadOnlyMemory<byte> frame = frame;
    private readonly ReadOnlySpan<byte> span = frame.Span;

    public int Position { get; private set; }

    public readonly int Remaining => span.Length - Position;

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(sizeof(uint)));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(sizeof(long)));

    public byte ReadByte() => Take(1)[0];

    public bool ReadBoolean() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw new FormatException($"invalid boolean byte {b} at offset {Position - 1}"),
    };

    /// <summary>A trace context as W3C traceparent defines it: all-zero ids and unknown flags are refused.</summary>
    public ActivityContext ReadTraceContext()
    {
        var start = Position;
        var bytes = Take(MessageCodec.TraceContextBytes);
        var traceId = bytes[..16];
        var spanId = bytes.Slice(16, 8);
        var flags = bytes[24];
        if (!traceId.ContainsAnyExcept((byte)0) || !spanId.ContainsAnyExcept((byte)0))
        {
            throw new FormatException($"an all-zero trace or span id at offset {start}");
        }

        if ((flags & ~(byte)ActivityTraceFlags.Recorded) != 0)
        {
            throw new FormatException($"unknown trace flags {flags} at offset {start + 24}");
        }

        return new ActivityContext(ActivityTraceId.CreateFromBytes(traceId), ActivitySpanId.CreateFromBytes(spanId), (ActivityTraceFlags)flags, traceState: null, isRemote: true);
    }

    /// <summary>A slice of the frame itself: payloads are not copied on decode.</summary>
    public ReadOnlyMemory<byte> ReadBytes(uint length)
    {
        if (length > (uint)Remaining)
        {
            throw new FormatException($"a {length}-byte field runs past the end of the frame ({Remaining} bytes left)");
        }

        if (length == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var slice = frame.Slice(Position, (int)length);
        Position += (int)length;
        return slice;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw new FormatException($"truncated frame: needed {count} bytes at offset {Position}, {Remaining} left");
        }

        var slice = span.Slice(Position, count);
        Position += count;
        return slice;
    }
}
