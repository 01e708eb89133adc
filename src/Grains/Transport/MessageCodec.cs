using System.Buffers.Binary;
using System.Diagnostics;
using OrleansRaft.Raft;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains.Transport;

/// <summary>
/// The peer wire format. A frame is <c>[u32 length][i64 groupId][u8 type][i64 from][i64 to][i64 term][trace
/// context?][fields…]</c>, little-endian, where length counts the bytes after itself; an AppendRequest's
/// entries are <c>[i64 index][i64 term][u8 kind][u32 len][bytes]</c>. The type byte's high bit says a trace
/// context follows the common fields: <c>[16-byte trace id][8-byte span id][u8 trace flags]</c>, W3C
/// traceparent's fields in binary (no tracestate). A frame without it is byte for byte what it was before
/// contexts existed. A body is frames back to back. Decoding is strict: anything short, long, unknown or
/// oversized is a <see cref="FormatException"/>, and nothing is allocated from a length before it is checked
/// against the bytes actually present.
/// </summary>
public sealed class MessageCodec
{
    public const int DefaultMaxFrameBytes = 64 << 20;

    public const int LengthPrefixBytes = sizeof(uint);

    // Length prefix, group id, type, then From, To, Term.
    private const int CommonBytes = LengthPrefixBytes + sizeof(long) + 1 + (3 * sizeof(long));

    // Index, term, kind, payload length.
    private const int EntryHeaderBytes = sizeof(long) + sizeof(long) + 1 + sizeof(uint);

    /// <summary>Bytes of an optional trace context: trace id, span id, trace flags.</summary>
    public const int TraceContextBytes = 16 + 8 + 1;

    /// <summary>The type byte's bit that announces a trace context.</summary>
    private const byte TracedBit = 0x80;

    private const byte PreVoteFlag = 1;
    private const byte SecondFlag = 2;

    public MessageCodec(int maxFrameBytes = DefaultMaxFrameBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameBytes, CommonBytes);
        MaxFrameBytes = maxFrameBytes;
    }

    public static MessageCodec Default { get; } = new();

    /// <summary>The largest frame, length prefix included, that <see cref="TryReadFrame"/> accepts.</summary>
    public int MaxFrameBytes { get; }

    /// <summary>The exact encoded size of <paramref name="message"/>, length prefix included.</summary>
    public static long GetFrameSize(RaftMessage message) => GetFrameSize(message, traced: false);

    /// <summary>The exact encoded size of <paramref name="message"/>, with a trace context when <paramref name="traced"/>.</summary>
    public static long GetFrameSize(RaftMessage message, bool traced) => CommonBytes + (traced ? TraceContextBytes : 0) + message switch
    {
        VoteRequest => (2 * sizeof(long)) + 1,
        VoteResponse => 1,
        AppendRequest m => (3 * sizeof(long)) + sizeof(uint) + EntriesSize(m.Entries),
        AppendResponse => 1 + (3 * sizeof(long)),
        HeartbeatRequest => 2 * sizeof(long),
        HeartbeatResponse => sizeof(long),
        TimeoutNow => 0,
        _ => throw new ArgumentException($"no wire format for {message.GetType().Name}", nameof(message)),
    };

    public static byte[] Encode(long groupId, RaftMessage message, ActivityContext traceContext = default)
    {
        var size = GetFrameSize(message, traceContext != default);
        if (size > Array.MaxLength)
        {
            throw new ArgumentException($"a {size}-byte frame cannot be encoded", nameof(message));
        }

        var frame = new byte[size];
        Encode(groupId, message, traceContext, frame);
        return frame;
    }

    /// <summary>Writes one frame at the start of <paramref name="destination"/>; returns its size.</summary>
    public static int Encode(long groupId, RaftMessage message, Span<byte> destination) => Encode(groupId, message, default, destination);

    /// <summary>Writes one frame, with <paramref name="traceContext"/> unless it is default; returns its size.</summary>
    public static int Encode(long groupId, RaftMessage message, ActivityContext traceContext, Span<byte> destination)
    {
        var traced = traceContext != default;
        var size = GetFrameSize(message, traced);
        if (size > destination.Length)
        {
            throw new ArgumentException($"the frame needs {size} bytes, the destination has {destination.Length}", nameof(destination));
        }

        var writer = new FrameWriter(destination);
        writer.WriteUInt32((uint)(size - LengthPrefixBytes));
        writer.WriteInt64(groupId);
        writer.WriteByte((byte)((byte)TypeOf(message) | (traced ? TracedBit : 0)));
        writer.WriteInt64(message.From);
        writer.WriteInt64(message.To);
        writer.WriteInt64(message.Term);
        if (traced)
        {
            writer.WriteTraceContext(traceContext);
        }

        switch (message)
        {
            case VoteRequest m:
                writer.WriteInt64(m.LastLogIndex);
                writer.WriteInt64(m.LastLogTerm);
                writer.WriteByte(Flags(m.PreVote, m.Transfer));
                break;
            case VoteResponse m:
                writer.WriteByte(Flags(m.PreVote, m.Granted));
                break;
            case AppendRequest m:
                writer.WriteInt64(m.PrevLogIndex);
                writer.WriteInt64(m.PrevLogTerm);
                writer.WriteInt64(m.Commit);
                writer.WriteUInt32((uint)m.Entries.Length);
                foreach (var entry in m.Entries)
                {
                    writer.WriteInt64(entry.Index);
                    writer.WriteInt64(entry.Term);
                    writer.WriteByte((byte)entry.Kind);
                    writer.WriteUInt32((uint)entry.Data.Length);
                    writer.WriteBytes(entry.Data.Span);
                }

                break;
            case AppendResponse m:
                writer.WriteByte(m.Success ? (byte)1 : (byte)0);
                writer.WriteInt64(m.Index);
                writer.WriteInt64(m.HintIndex);
                writer.WriteInt64(m.HintTerm);
                break;
            case HeartbeatRequest m:
                writer.WriteInt64(m.Commit);
                writer.WriteInt64(m.ReadRound);
                break;
            case HeartbeatResponse m:
                writer.WriteInt64(m.ReadRound);
                break;
        }

        return writer.Position;
    }

    /// <summary>
    /// Reads the next frame off the front of <paramref name="buffer"/> and advances it; false once it is empty.
    /// Entry payloads are slices of <paramref name="buffer"/>, so the caller must not reuse that memory.
    /// </summary>
    public bool TryReadFrame(ref ReadOnlyMemory<byte> buffer, out DecodedFrame frame)
    {
        frame = default;
        if (buffer.IsEmpty)
        {
            return false;
        }

        if (buffer.Length < LengthPrefixBytes)
        {
            throw new FormatException($"truncated length prefix: {buffer.Length} bytes");
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(buffer.Span);
        if (length > (uint)(MaxFrameBytes - LengthPrefixBytes))
        {
            throw new FormatException($"a frame of {length} bytes exceeds the {MaxFrameBytes}-byte limit");
        }

        if (length > (uint)(buffer.Length - LengthPrefixBytes))
        {
            throw new FormatException($"truncated frame: {length} bytes announced, {buffer.Length - LengthPrefixBytes} present");
        }

        frame = DecodeBody(buffer.Slice(LengthPrefixBytes, (int)length));
        buffer = buffer[(LengthPrefixBytes + (int)length)..];
        return true;
    }

    /// <summary>Decodes a buffer that holds exactly one frame.</summary>
    public DecodedFrame Decode(ReadOnlyMemory<byte> buffer)
    {
        if (!TryReadFrame(ref buffer, out var frame))
        {
            throw new FormatException("empty buffer");
        }

        return buffer.IsEmpty ? frame : throw new FormatException($"{buffer.Length} bytes after the frame");
    }

    /// <summary>Decodes a whole body, all or nothing: one bad frame rejects it.</summary>
    public List<DecodedFrame> DecodeAll(ReadOnlyMemory<byte> body)
    {
        var frames = new List<DecodedFrame>();
        while (TryReadFrame(ref body, out var frame))
        {
            frames.Add(frame);
        }

        return frames;
    }

    private static DecodedFrame DecodeBody(ReadOnlyMemory<byte> body)
    {
        var reader = new FrameReader(body);
        var groupId = reader.ReadInt64();
        var typeByte = reader.ReadByte();
        var type = (byte)(typeByte & ~TracedBit);
        if (!Enum.IsDefined((MessageType)type))
        {
            throw new FormatException($"unknown message type {typeByte}");
        }

        var from = reader.ReadInt64();
        var to = reader.ReadInt64();
        var term = reader.ReadInt64();
        var traceContext = (typeByte & TracedBit) != 0 ? reader.ReadTraceContext() : default;
        RaftMessage message = (MessageType)type switch
        {
            MessageType.VoteRequest => ReadVoteRequest(ref reader, from, to, term),
            MessageType.VoteResponse => ReadVoteResponse(ref reader, from, to, term),
            MessageType.AppendRequest => ReadAppendRequest(ref reader, from, to, term),
            MessageType.AppendResponse => new AppendResponse(from, to, term, reader.ReadBoolean(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64()),
            MessageType.HeartbeatRequest => new HeartbeatRequest(from, to, term, reader.ReadInt64(), reader.ReadInt64()),
            MessageType.HeartbeatResponse => new HeartbeatResponse(from, to, term, reader.ReadInt64()),
            MessageType.TimeoutNow => new TimeoutNow(from, to, term),
            _ => throw new FormatException($"unknown message type {type}"),
        };

        if (reader.Remaining != 0)
        {
            throw new FormatException($"{reader.Remaining} trailing bytes in a {(MessageType)type} frame");
        }

        return new DecodedFrame(groupId, message) { TraceContext = traceContext };
    }

    private static VoteRequest ReadVoteRequest(ref FrameReader reader, long from, long to, long term)
    {
        var lastLogIndex = reader.ReadInt64();
        var lastLogTerm = reader.ReadInt64();
        var flags = ReadFlags(ref reader);
        return new VoteRequest(from, to, term, lastLogIndex, lastLogTerm, (flags & PreVoteFlag) != 0, (flags & SecondFlag) != 0);
    }

    private static VoteResponse ReadVoteResponse(ref FrameReader reader, long from, long to, long term)
    {
        var flags = ReadFlags(ref reader);
        return new VoteResponse(from, to, term, (flags & PreVoteFlag) != 0, (flags & SecondFlag) != 0);
    }

    private static AppendRequest ReadAppendRequest(ref FrameReader reader, long from, long to, long term)
    {
        var prevLogIndex = reader.ReadInt64();
        var prevLogTerm = reader.ReadInt64();
        var commit = reader.ReadInt64();
        var count = reader.ReadUInt32();
        // Every entry takes at least its header, so a count the frame cannot hold is a lie: check before allocating.
        if (count > (uint)(reader.Remaining / EntryHeaderBytes))
        {
            throw new FormatException($"{count} entries cannot fit in the {reader.Remaining} bytes left");
        }

        var entries = count == 0 ? [] : new LogEntry[count];
        for (var i = 0; i < entries.Length; i++)
        {
            var index = reader.ReadInt64();
            var entryTerm = reader.ReadInt64();
            var kind = reader.ReadByte();
            if (!Enum.IsDefined((EntryKind)kind))
            {
                throw new FormatException($"unknown entry kind {kind}");
            }

            var data = reader.ReadBytes(reader.ReadUInt32());
            entries[i] = new LogEntry(index, entryTerm, (EntryKind)kind, data);
        }

        return new AppendRequest(from, to, term, prevLogIndex, prevLogTerm, entries, commit);
    }

    private static byte ReadFlags(ref FrameReader reader)
    {
        var flags = reader.ReadByte();
        return (flags & ~(PreVoteFlag | SecondFlag)) == 0 ? flags : throw new FormatException($"unknown flag bits in {flags}");
    }

    private static byte Flags(bool first, bool second) => (byte)((first ? PreVoteFlag : 0) | (second ? SecondFlag : 0));

    private static long EntriesSize(LogEntry[] entries)
    {
        long size = 0;
        foreach (var entry in entries)
        {
            size += EntryHeaderBytes + entry.Data.Length;
        }

        return size;
    }

    private static MessageType TypeOf(RaftMessage message) => message switch
    {
        VoteRequest => MessageType.VoteRequest,
        VoteResponse => MessageType.VoteResponse,
        AppendRequest => MessageType.AppendRequest,
        AppendResponse => MessageType.AppendResponse,
        HeartbeatRequest => MessageType.HeartbeatRequest,
        HeartbeatResponse => MessageType.HeartbeatResponse,
        TimeoutNow => MessageType.TimeoutNow,
        _ => throw new ArgumentException($"no wire format for {message.GetType().Name}", nameof(message)),
    };
}
