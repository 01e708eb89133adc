namespace OrleansRaft.Gateway.Http;

/// <summary>An RFC 9457 problem details body (application/problem+json).</summary>
/// <param name="Reason">An extension member: why a membership change was refused (alreadyMember, lastVoter...); absent otherwise.</param>
public sealed record ProblemReply(string Type, string Title, int Status, string Detail, string? Reason = null);
