namespace OrleansRaft.Bench.Cluster;

/// <summary>
/// Buffers each request body before sending, so it goes out with a Content-Length header. KvReplicaClient's
/// JsonContent streams without one; this shows what the silo gains when it knows a body's size up front.
/// </summary>
internal sealed class ContentLengthHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } content)
        {
            await content.LoadIntoBufferAsync(cancellationToken);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
