namespace OrleansRaft.Gateway.Http;

/// <summary>The answer to <c>GET /readyz</c> when a leader is known and answers.</summary>
public sealed record ReadyReply(string Status, long Leader, long Term);
