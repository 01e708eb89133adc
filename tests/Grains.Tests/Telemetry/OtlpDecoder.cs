using System.Buffers.Binary;

namespace OrleansRaft.Grains.Tests.Telemetry;

/// <summary>
/// Reads the parts of OTLP export requests the tests check (opentelemetry/proto/collector/*/v1): span names,
/// ids, attributes and resource; metric names.
/// </summary>
internal static class OtlpDecoder
{
    /// <summary>ExportTraceServiceRequest: resource_spans(1) → resource(1), scope_spans(2) → spans(2).</summary>
    public static List<OtlpSpan> Spans(ReadOnlyMemory<byte> request)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in Repeated(request, 1))
        {
            var resource = Resource(resourceSpans);
            foreach (var scopeSpans in Repeated(resourceSpans, 2))
            {
                foreach (var span in Repeated(scopeSpans, 2))
                {
                    var fields = ProtobufReader.Fields(span);
                    var attributes = new Dictionary<string, object>();
                    foreach (var keyValue in fields.Where(f => f.Number == 9))
                    {
                        AddKeyValue(attributes, keyValue.Bytes);
                    }

                    spans.Add(new OtlpSpan(
                        Single(fields, 5).Text,
                        Single(fields, 1).Hex,
                        Single(fields, 2).Hex,
                        fields.FirstOrDefault(f => f.Number == 4).Hex,
                        attributes,
                        resource));
                }
            }
        }

        return spans;
    }

    /// <summary>ExportMetricsServiceRequest: resource_metrics(1) → scope_metrics(2) → metrics(2) → name(1).</summary>
    public static List<string> MetricNames(ReadOnlyMemory<byte> request) =>
        [.. Repeated(request, 1).SelectMany(r => Repeated(r, 2)).SelectMany(s => Repeated(s, 2)).Select(m => Single(ProtobufReader.Fields(m), 1).Text)];

    private static Dictionary<string, object> Resource(ReadOnlyMemory<byte> resourceSpans)
    {
        var attributes = new Dictionary<string, object>();
        foreach (var resource in Repeated(resourceSpans, 1))
        {
            foreach (var keyValue in Repeated(resource, 1))
            {
                AddKeyValue(attributes, keyValue);
            }
        }

        return attributes;
    }

    /// <summary>KeyValue: key(1), value(2) AnyValue: string(1), bool(2), int(3), double(4).</summary>
    private static void AddKeyValue(Dictionary<string, object> attributes, ReadOnlyMemory<byte> keyValue)
    {
        var fields = ProtobufReader.Fields(keyValue);
        var key = Single(fields, 1).Text;
        var value = ProtobufReader.Fields(Single(fields, 2).Bytes);
        if (value.Count == 0)
        {
            return;
        }

        attributes[key] = value[0].Number switch
        {
            1 => value[0].Text,
            2 => value[0].Number64 != 0,
            3 => (long)value[0].Number64,
            4 => BitConverter.Int64BitsToDouble((long)value[0].Number64),
            _ => $"(field {value[0].Number})",
        };
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Repeated(ReadOnlyMemory<byte> message, int number) =>
        ProtobufReader.Fields(message).Where(f => f.Number == number).Select(f => f.Bytes);

    private static ProtobufField Single(List<ProtobufField> fields, int number) =>
        fields.FirstOrDefault(f => f.Number == number) is { Number: > 0 } field ? field : throw new FormatException($"no field {number}");

    /// <summary>A gRPC message: [u8 compressed][u32 big-endian length][protobuf].</summary>
    public static ReadOnlyMemory<byte> UnwrapGrpc(ReadOnlyMemory<byte> body)
    {
        if (body.Length < 5 || body.Span[0] != 0)
        {
            throw new FormatException("not an uncompressed gRPC message");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(body.Span[1..5]);
        return body.Slice(5, checked((int)length));
    }
}
