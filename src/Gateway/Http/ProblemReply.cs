namespace OrleansRaft.Gateway.Http;

/// <summary>An RFC 9457 problem details body (application/problem+json).</summary>
public sealed record ProblemReply(string Type, string Title, int Status, string Detail);
