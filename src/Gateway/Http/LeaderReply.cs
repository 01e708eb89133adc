namespace OrleansRaft.Gateway.Http;

/// <summary>The answer to <c>POST /v1/cluster/leader</c>: the node that now leads, and its term.</summary>
public sealed record LeaderReply(long Leader, long Term);
