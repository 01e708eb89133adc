using System.Buffers.Binary;
using System.Diagnostics;
using OrleansRaft.Grains.Transport;
using OrleansRaft.Raft;
using OrleansRaft.Raft.Messages;

namespace OrleansRaft.Grains.Tests.Transport;

public sealed class MessageCodecTests
{
    private static readonly MessageCodec Codec = MessageCodec.Default;

    // Offsets in a frame: prefix 0, group 4, type 12, from 13, to 21, term 29, then a trace context at 37.
    private const int TypeOffset = 12;
    private const int ContextOffset = 37;

    private static readonly ActivityContext Traced = new(
        ActivityTraceId.CreateFromString("0af7651916cd43dd8448eb211c80319c"),
        ActivitySpanId.CreateFromString("b7ad6b7169203331"),
        ActivityTraceFlags.Recorded);

    public static TheoryData<RaftMessage> EveryType()
    {
        var data = new TheoryData<RaftMessage>();
        foreach (var message in Messages.OneOfEach())
        {
            data.Add(message);
        }

        return data;
    }

    public static TheoryData<RaftMessage> EdgeValues()
    {
        const long max = long.MaxValue;
        return new TheoryData<RaftMessage>
        {
            new VoteRequest(max, max, max, max, max, PreVote: true, Transfer: true),
            new VoteRequest(0, 0, 0, 0, 0, PreVote: false, Transfer: false),
            new VoteResponse(max, long.MinValue, max, PreVote: true, Granted: false),
            new AppendRequest(max, max, max, max, max, [], max),
            new AppendRequest(1, 2, 3, 0, 0, [new LogEntry(1, 3, EntryKind.Configuration, ReadOnlyMemory<byte>.Empty)], 0),
            new AppendRequest(1, 2, max, max - 1, max, [new LogEntry(max, max, EntryKind.Command, new byte[] { 0xFF })], max),
            new AppendResponse(max, max, max, Success: true, max, max, max),
            new AppendResponse(-1, -2, -3, Success: false, -4, -5, -6),
            new HeartbeatRequest(max, max, max, max, max),
            new HeartbeatResponse(max, max, max, max),
            new TimeoutNow(max, max, max),
            new TimeoutNow(long.MinValue, long.MinValue, long.MinValue),
        };
    }

    [Theory]
    [MemberData(nameof(EveryType))]
    [MemberData(nameof(EdgeValues))]
    public void Every_message_round_trips(RaftMessage message)
    {
        foreach (var group in new[] { 1L, 0L, long.MaxValue, long.MinValue })
        {
            var frame = MessageCodec.Encode(group, message);
            Assert.Equal(MessageCodec.GetFrameSize(message), frame.Length);
            Assert.Equal((uint)(frame.Length - 4), BinaryPrimitives.ReadUInt32LittleEndian(frame));
            Messages.Equal(group, message, Codec.Decode(frame));
        }
    }

    [Fact]
    public void Large_payloads_and_many_entries_round_trip()
    {
        var large = Messages.Append(2, 3, 5 << 20);
        Messages.Equal(7, large, Codec.Decode(MessageCodec.Encode(7, large)));
        var many = Messages.Append(2, 10_000, 0);
        Messages.Equal(7, many, Codec.Decode(MessageCodec.Encode(7, many)));
    }

    [Fact]
    public void Decoded_payloads_are_slices_of_the_body_not_copies()
    {
        var frame = MessageCodec.Encode(1, Messages.Append(2, 2, 100));
        var decoded = (AppendRequest)Codec.Decode(frame).Message;
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(decoded.Entries[1].Data, out var segment));
        Assert.Same(frame, segment.Array);
    }

    [Fact]
    public void A_body_of_frames_decodes_in_order()
    {
        var messages = Messages.OneOfEach().ToList();
        var body = messages.SelectMany((m, i) => MessageCodec.Encode(i, m)).ToArray();
        var frames = Codec.DecodeAll(body);
        Assert.Equal(messages.Count, frames.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            Messages.Equal(i, messages[i], frames[i]);
        }

        Assert.Empty(Codec.DecodeAll(ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void Encode_into_a_span_writes_exactly_the_frame()
    {
        var message = Messages.Append(2, 4, 10);
        var buffer = new byte[1000];
        var written = MessageCodec.Encode(9, message, buffer);
        Assert.Equal(MessageCodec.GetFrameSize(message), written);
        Messages.Equal(9, message, Codec.Decode(buffer.AsMemory(0, written)));
        Assert.Throws<ArgumentException>(() => MessageCodec.Encode(9, message, new byte[written - 1]));
    }

    [Fact]
    public void Every_truncation_of_every_message_is_a_format_error()
    {
        foreach (var message in Messages.OneOfEach())
        {
            var frame = MessageCodec.Encode(3, message);
            for (var length = 1; length < frame.Length; length++)
            {
                var cut = frame.AsMemory(0, length);
                Assert.Throws<FormatException>(() => Codec.DecodeAll(cut));
            }
        }
    }

    [Fact]
    public void A_shortened_length_prefix_is_a_format_error_not_an_overrun()
    {
        // The prefix claims fewer bytes than the fields need: the reader must stop at the frame's end.
        foreach (var message in Messages.OneOfEach())
        {
            var frame = MessageCodec.Encode(3, message);
            for (var claimed = 0u; claimed < frame.Length - 4; claimed++)
            {
                var lying = (byte[])frame.Clone();
                BinaryPrimitives.WriteUInt32LittleEndian(lying, claimed);
                Assert.Throws<FormatException>(() => Codec.DecodeAll(lying));
            }
        }
    }

    [Theory]
    [InlineData(0xFFFFFFFFu)]
    [InlineData(0x80000000u)]
    [InlineData((uint)MessageCodec.DefaultMaxFrameBytes)]
    [InlineData(1000u)]
    public void A_length_prefix_beyond_the_limit_or_the_bytes_present_is_a_format_error(uint claimed)
    {
        var frame = MessageCodec.Encode(1, new TimeoutNow(1, 2, 3));
        BinaryPrimitives.WriteUInt32LittleEndian(frame, claimed);
        Assert.Throws<FormatException>(() => Codec.DecodeAll(frame));
    }

    [Fact]
    public void The_maximum_frame_size_is_configurable()
    {
        var frame = MessageCodec.Encode(1, Messages.Append(2, 1, 1000));
        var small = new MessageCodec(frame.Length - 1);
        var exact = new MessageCodec(frame.Length);
        Assert.Throws<FormatException>(() => small.DecodeAll(frame));
        Assert.Single(exact.DecodeAll(frame));
    }

    [Fact]
    public void Garbage_is_a_format_error()
    {
        var random = new Random(42);
        for (var i = 0; i < 2000; i++)
        {
            var garbage = new byte[random.Next(1, 200)];
            random.NextBytes(garbage);
            // Any outcome but a FormatException or a clean decode (vanishingly unlikely) fails the test.
            try
            {
                Codec.DecodeAll(garbage);
            }
            catch (FormatException)
            {
            }
        }

        Assert.Throws<FormatException>(() => Codec.DecodeAll("garbage bytes, not frames"u8.ToArray()));
    }

    [Theory]
    [InlineData((byte)0)]
    [InlineData((byte)10)]
    [InlineData((byte)255)]
    public void An_unknown_message_type_is_a_format_error(byte type)
    {
        var frame = MessageCodec.Encode(1, new TimeoutNow(1, 2, 3));
        frame[4 + 8] = type;
        var error = Assert.Throws<FormatException>(() => Codec.Decode(frame));
        Assert.Contains("unknown message type", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_bytes_inside_a_frame_are_a_format_error()
    {
        var frame = MessageCodec.Encode(1, new HeartbeatResponse(1, 2, 3, 4));
        var longer = new byte[frame.Length + 3];
        frame.CopyTo(longer, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(longer, (uint)(longer.Length - 4));
        var error = Assert.Throws<FormatException>(() => Codec.Decode(longer));
        Assert.Contains("trailing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_after_the_last_frame_of_a_body_are_a_format_error()
    {
        var body = MessageCodec.Encode(1, new TimeoutNow(1, 2, 3)).Concat(new byte[] { 1, 2 }).ToArray();
        Assert.Throws<FormatException>(() => Codec.DecodeAll(body));
        Assert.Throws<FormatException>(() => Codec.Decode(MessageCodec.Encode(1, new TimeoutNow(1, 2, 3)).Concat(new byte[] { 0 }).ToArray()));
    }

    [Fact]
    public void A_lying_entry_count_is_refused_before_allocating()
    {
        var frame = MessageCodec.Encode(1, Messages.Append(2, 1, 10));
        var countOffset = 4 + 8 + 1 + 24 + 24;
        foreach (var count in new[] { uint.MaxValue, 0x7FFFFFFFu, 2u })
        {
            BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(countOffset), count);
            Assert.Throws<FormatException>(() => Codec.Decode(frame));
        }
    }

    [Fact]
    public void A_lying_payload_length_is_a_format_error()
    {
        var frame = MessageCodec.Encode(1, Messages.Append(2, 1, 10));
        var payloadLengthOffset = 4 + 8 + 1 + 24 + 24 + 4 + 17;
        foreach (var length in new[] { uint.MaxValue, 0x80000000u, 11u, 9u })
        {
            BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(payloadLengthOffset), length);
            Assert.Throws<FormatException>(() => Codec.Decode(frame));
        }
    }

    [Fact]
    public void Unknown_entry_kinds_booleans_and_flags_are_format_errors()
    {
        var append = MessageCodec.Encode(1, Messages.Append(2, 1, 10));
        append[4 + 8 + 1 + 24 + 24 + 4 + 16] = 9;
        Assert.Throws<FormatException>(() => Codec.Decode(append));

        var response = MessageCodec.Encode(1, new AppendResponse(1, 2, 3, true, 4, 5, 6));
        response[4 + 8 + 1 + 24] = 2;
        Assert.Throws<FormatException>(() => Codec.Decode(response));

        var vote = MessageCodec.Encode(1, new VoteResponse(1, 2, 3, true, true));
        vote[4 + 8 + 1 + 24] = 4;
        Assert.Throws<FormatException>(() => Codec.Decode(vote));
    }

    [Theory]
    [MemberData(nameof(EveryType))]
    public void A_trace_context_rides_in_any_frame_and_adds_exactly_its_bytes(RaftMessage message)
    {
        var plain = MessageCodec.Encode(4, message);
        var traced = MessageCodec.Encode(4, message, Traced);
        Assert.Equal(plain.Length + MessageCodec.TraceContextBytes, traced.Length);
        Assert.Equal(MessageCodec.GetFrameSize(message, traced: true), traced.Length);
        Assert.Equal((uint)(traced.Length - 4), BinaryPrimitives.ReadUInt32LittleEndian(traced));

        var decoded = Codec.Decode(traced);
        Messages.Equal(4, message, decoded);
        Assert.Equal((Traced.TraceId, Traced.SpanId, Traced.TraceFlags, true), (decoded.TraceContext.TraceId, decoded.TraceContext.SpanId, decoded.TraceContext.TraceFlags, decoded.TraceContext.IsRemote));
        Assert.Equal(default, Codec.Decode(plain).TraceContext);

        var unsampled = new ActivityContext(Traced.TraceId, Traced.SpanId, ActivityTraceFlags.None);
        Assert.Equal(unsampled.TraceFlags, Codec.Decode(MessageCodec.Encode(4, message, unsampled)).TraceContext.TraceFlags);
    }

    [Fact]
    public void A_frame_without_a_context_is_byte_for_byte_the_format_before_contexts()
    {
        Assert.Equal(
            "21000000" + "0100000000000000" + "07" + "0100000000000000" + "0200000000000000" + "0300000000000000",
            Convert.ToHexString(MessageCodec.Encode(1, new TimeoutNow(1, 2, 3))));
        Assert.Equal(MessageCodec.Encode(1, Messages.Append(2, 2, 5)).Length, MessageCodec.Encode(1, Messages.Append(2, 2, 5), default(ActivityContext)).Length);
    }

    [Fact]
    public void A_traced_frame_sets_the_types_high_bit_and_carries_the_traceparent_fields_after_the_term()
    {
        var frame = MessageCodec.Encode(1, new TimeoutNow(1, 2, 3), Traced);
        Assert.Equal(0x87, frame[TypeOffset]);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", Convert.ToHexStringLower(frame.AsSpan(ContextOffset, 16)));
        Assert.Equal("b7ad6b7169203331", Convert.ToHexStringLower(frame.AsSpan(ContextOffset + 16, 8)));
        Assert.Equal(1, frame[ContextOffset + 24]);
    }

    [Fact]
    public void A_malformed_trace_context_is_a_format_error()
    {
        var frame = MessageCodec.Encode(1, new HeartbeatResponse(1, 2, 3, 4), Traced);

        var zeroTrace = (byte[])frame.Clone();
        zeroTrace.AsSpan(ContextOffset, 16).Clear();
        Assert.Throws<FormatException>(() => Codec.Decode(zeroTrace));

        var zeroSpan = (byte[])frame.Clone();
        zeroSpan.AsSpan(ContextOffset + 16, 8).Clear();
        Assert.Throws<FormatException>(() => Codec.Decode(zeroSpan));

        var unknownFlags = (byte[])frame.Clone();
        unknownFlags[ContextOffset + 24] = 2;
        Assert.Throws<FormatException>(() => Codec.Decode(unknownFlags));

        // The bit without the bytes: the context would run into the fields and the frame ends short.
        var bitOnly = MessageCodec.Encode(1, new HeartbeatResponse(1, 2, 3, 4));
        bitOnly[TypeOffset] |= 0x80;
        Assert.Throws<FormatException>(() => Codec.Decode(bitOnly));

        var unknownType = (byte[])frame.Clone();
        unknownType[TypeOffset] = 0x8A; // type 10: none (8 and 9 are InstallSnapshot)
        Assert.Contains("unknown message type", Assert.Throws<FormatException>(() => Codec.Decode(unknownType)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_of_a_traced_frame_is_a_format_error()
    {
        foreach (var message in Messages.OneOfEach())
        {
            var frame = MessageCodec.Encode(3, message, Traced);
            for (var length = 1; length < frame.Length; length++)
            {
                var cut = frame.AsMemory(0, length);
                Assert.Throws<FormatException>(() => Codec.DecodeAll(cut));
            }
        }
    }
}
