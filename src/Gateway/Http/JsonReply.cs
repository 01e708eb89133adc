using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace OrleansRaft.Gateway.Http;

/// <summary>
/// Writes a small JSON reply with a Content-Length (no chunked framing): serialized into a per-thread buffer
/// first, synchronously, so the buffer is free again before the first await.
/// </summary>
internal static class JsonReply
{
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>The gateway's JSON contract; relaxed escaping keeps quotes in problem details readable (never embedded in HTML).</summary>
    public static GatewayJsonContext Context { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? writer;

    public static Task WriteAsync<T>(HttpContext context, T value, JsonTypeInfo<T> typeInfo, string contentType = ContentType)
    {
        var output = buffer ??= new ArrayBufferWriter<byte>(512);
        output.ResetWrittenCount();
        var json = writer ??= new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        json.Reset(output);
        JsonSerializer.Serialize(json, value, typeInfo);
        json.Flush();

        var response = context.Response;
        response.ContentType = contentType;
        response.ContentLength = output.WrittenCount;
        var body = response.BodyWriter;
        body.Write(output.WrittenSpan);

        // Large replies (a long /v1/cluster) should not pin a big buffer to the thread.
        if (output.Capacity > 64 << 10)
        {
            buffer = null;
            writer = null;
        }

        var flush = body.FlushAsync();
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }
}
