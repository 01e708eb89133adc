using System.Buffers.Binary;

namespace OrleansRaft.Grains.Tests.Telemetry;

/// <summary>
/// Just enough protobuf to read OTLP: walks one message's fields (varint, fixed64, length-delimited, fixed32).
/// Strict: a truncated or unknown wire type throws, so a malformed export fails the test.
/// </summary>
internal static class ProtobufReader
{
    public static List<ProtobufField> Fields(ReadOnlyMemory<byte> message)
    {
        var fields = new List<ProtobufField>();
        var position = 0;
        var span = message.Span;
        while (position < span.Length)
        {
            var key = ReadVarint(span, ref position);
            var number = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0:
                    fields.Add(new ProtobufField(number, ReadVarint(span, ref position), ReadOnlyMemory<byte>.Empty));
                    break;
                case 1:
                    fields.Add(new ProtobufField(number, BinaryPrimitives.ReadUInt64LittleEndian(span.Slice(position, 8)), ReadOnlyMemory<byte>.Empty));
                    position += 8;
                    break;
                case 2:
                    var length = checked((int)ReadVarint(span, ref position));
                    fields.Add(new ProtobufField(number, 0, message.Slice(position, length)));
                    position += length;
                    break;
                case 5:
                    fields.Add(new ProtobufField(number, BinaryPrimitives.ReadUInt32LittleEndian(span.Slice(position, 4)), ReadOnlyMemory<byte>.Empty));
                    position += 4;
                    break;
                case var wireType:
                    throw new FormatException($"wire type {wireType} of field {number}");
            }
        }

        return fields;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = span[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("varint longer than 10 bytes");
    }
}
