namespace OrleansRaft.Gateway.Http;

/// <summary>The answer to <c>PUT /v1/kv/{key}</c>: the log index at which the write committed.</summary>
public readonly record struct PutReply(long Index);
