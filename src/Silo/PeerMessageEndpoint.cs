using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OrleansRaft.Grains;
using OrleansRaft.Grains.Transport;

namespace OrleansRaft.Silo;

/// <summary>
/// <c>POST /raft/v1/messages</c>: a body of frames from a peer silo. The body is decoded whole before anything
/// is delivered, so a malformed one is refused (400) without any of its messages reaching a replica.
/// </summary>
internal sealed class PeerMessageEndpoint(SiloOptions options, ReplicaDirectory directory, PeerEndpointCounters counters, ILogger<PeerMessageEndpoint> logger)
{
    private readonly MessageCodec codec = new(options.MaxMessageBytes);

    public async Task<IResult> HandleAsync(HttpContext context)
    {
        counters.OnRequest();
        var (body, refusal) = await RequestBody.ReadAsync(context, options.MaxMessageBytes);
        if (body is null)
        {
            counters.OnRefusedBody();
            logger.LogWarning("node {NodeId}: refused a peer body from {Remote}: status {Status}", options.NodeId, context.Connection.RemoteIpAddress, (refusal as IStatusCodeHttpResult)?.StatusCode);
            return refusal!;
        }

        List<DecodedFrame> frames;
        try
        {
            frames = codec.DecodeAll(body);
        }
        catch (FormatException e)
        {
            counters.OnMalformed();
            logger.LogWarning("node {NodeId}: refused a malformed peer body of {Length} bytes from {Remote}: {Error}", options.NodeId, body.Length, context.Connection.RemoteIpAddress, e.Message);
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed peer message", detail: e.Message);
        }

        foreach (var frame in frames)
        {
            var message = frame.Message;
            if (!directory.TryGet(frame.GroupId, out var grain))
            {
                counters.OnUnknownGroup();
                continue;
            }

            if (message.To != options.NodeId)
            {
                counters.OnMisrouted();
                continue;
            }

            await grain.DeliverAsync(message, frame.TraceContext, context.RequestAborted);
            counters.OnDelivered();
        }

        return Results.NoContent();
    }
}
