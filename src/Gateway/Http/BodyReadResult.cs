using System.Buffers;

namespace OrleansRaft.Gateway.Http;

/// <summary>
/// A request body read into a pooled buffer (<see cref="Return"/> it once the call is sent), or the problem
/// that stopped the read, or <see cref="Aborted"/> when the client went away.
/// </summary>
internal readonly record struct BodyReadResult(byte[]? Buffer, int Length, ProblemReply? Problem, bool Aborted)
{
    public ReadOnlyMemory<byte> Value => Buffer is null ? ReadOnlyMemory<byte>.Empty : Buffer.AsMemory(0, Length);

    public void Return()
    {
        if (Buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
        }
    }
}
