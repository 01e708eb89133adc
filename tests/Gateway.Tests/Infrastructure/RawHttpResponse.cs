namespace OrleansRaft.Gateway.Tests.Infrastructure;

/// <summary>An HTTP/1.1 response read off a raw socket; <see cref="Closed"/> when the server closed the connection after it.</summary>
internal sealed record RawHttpResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body, bool Closed)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}
