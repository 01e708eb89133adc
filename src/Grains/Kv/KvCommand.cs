using System.Buffers.Binary;
using System.Text;

namespace OrleansRaft.Grains.Kv;

/// <summary>
/// A write as it travels in the log. <see cref="Timestamp"/> is the proposing leader's clock in milliseconds:
/// session expiry reads time from the log, never from a replica's own clock, so every replica agrees.
/// </summary>
public sealed record KvCommand(KvOperation Operation, string Key, ReadOnlyMemory<byte> Value, ClientRequest? Request, long Timestamp)
{
    private const byte Version = 1;

    public byte[] Encode()
    {
        var key = Encoding.UTF8.GetBytes(Key);
        var client = Request is { } r ? Encoding.UTF8.GetBytes(r.ClientId) : [];
        var buffer = new byte[1 + 1 + 8 + 2 + client.Length + 8 + 8 + 2 + key.Length + 4 + Value.Length];
        var span = buffer.AsSpan();
        var at = 0;
        span[at++] = Version;
        span[at++] = (byte)Operation;
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], Timestamp);
        at += 8;
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], (ushort)client.Length);
        at += 2;
        client.CopyTo(span[at..]);
        at += client.Length;
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], Request?.Sequence ?? 0);
        at += 8;
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], Request?.LowestUnanswered ?? 0);
        at += 8;
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], (ushort)key.Length);
        at += 2;
        key.CopyTo(span[at..]);
        at += key.Length;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], Value.Length);
        at += 4;
        Value.Span.CopyTo(span[at..]);
        return buffer;
    }

    /// <summary>Decodes a command; throws <see cref="FormatException"/> on anything malformed.</summary>
    public static KvCommand Decode(ReadOnlyMemory<byte> data)
    {
        var span = data.Span;
        var at = 0;
        ReadOnlySpan<byte> Take(ReadOnlySpan<byte> s, int length)
        {
            if (length < 0 || at + length > s.Length)
            {
                throw new FormatException("KV command is truncated");
            }

            var slice = s.Slice(at, length);
            at += length;
            return slice;
        }

        if (Take(span, 1)[0] != Version)
        {
            throw new FormatException("unknown KV command version");
        }

        var operation = (KvOperation)Take(span, 1)[0];
        if (!Enum.IsDefined(operation))
        {
            throw new FormatException($"unknown KV operation {(byte)operation}");
        }

        var timestamp = BinaryPrimitives.ReadInt64LittleEndian(Take(span, 8));
        var client = Encoding.UTF8.GetString(Take(span, BinaryPrimitives.ReadUInt16LittleEndian(Take(span, 2))));
        var sequence = BinaryPrimitives.ReadInt64LittleEndian(Take(span, 8));
        var lowest = BinaryPrimitives.ReadInt64LittleEndian(Take(span, 8));
        var key = Encoding.UTF8.GetString(Take(span, BinaryPrimitives.ReadUInt16LittleEndian(Take(span, 2))));
        var valueLength = BinaryPrimitives.ReadInt32LittleEndian(Take(span, 4));
        Take(span, valueLength);
        var value = data.Slice(at - valueLength, valueLength);
        if (at != span.Length)
        {
            throw new FormatException("KV command has trailing bytes");
        }

        ClientRequest? request = client.Length > 0 ? new ClientRequest(client, sequence, lowest) : null;
        return new KvCommand(operation, key, value, request, timestamp);
    }
}
