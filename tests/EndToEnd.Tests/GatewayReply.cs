using System.Net;

namespace OrleansRaft.EndToEnd.Tests;

/// <summary>The definitive answer to one request after retries: status, body, and how many attempts it took.</summary>
public sealed record GatewayReply(HttpStatusCode Status, byte[] Body, int Attempts)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}
