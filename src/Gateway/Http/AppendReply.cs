namespace OrleansRaft.Gateway.Http;

/// <summary>The answer to <c>POST /v1/kv/{key}/append</c>: the commit index and the value's new length.</summary>
public readonly record struct AppendReply(long Index, long Length);
