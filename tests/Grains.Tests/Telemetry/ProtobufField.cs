using System.Text;

namespace OrleansRaft.Grains.Tests.Telemetry;

/// <summary>One field of a protobuf message: a number (varint and fixed) or bytes (length-delimited).</summary>
internal readonly record struct ProtobufField(int Number, ulong Number64, ReadOnlyMemory<byte> Bytes)
{
    public string Text => Encoding.UTF8.GetString(Bytes.Span);

    public string Hex => Convert.ToHexStringLower(Bytes.Span);
}
