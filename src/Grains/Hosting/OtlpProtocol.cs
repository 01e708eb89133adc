namespace OrleansRaft.Grains.Hosting;

/// <summary>OTLP transports the .NET exporter speaks (OTEL_EXPORTER_OTLP_PROTOCOL).</summary>
public enum OtlpProtocol
{
    /// <summary>http/protobuf: POSTs of protobuf bodies to <c>/v1/traces</c> and <c>/v1/metrics</c> (collector port 4318).</summary>
    HttpProtobuf,

    /// <summary>grpc (collector port 4317); the 1.20 exporter has its own gRPC client over HTTP/2, no Grpc packages.</summary>
    Grpc,
}
