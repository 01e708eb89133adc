namespace OrleansRaft.Gateway.Http;

/// <summary>The answer to <c>DELETE /v1/kv/{key}</c>: the commit index and whether the key existed.</summary>
public readonly record struct DeleteReply(long Index, bool Deleted);
