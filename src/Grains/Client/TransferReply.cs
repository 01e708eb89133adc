namespace OrleansRaft.Grains.Client;

/// <summary>The answer of <c>POST /replica/v1/{group}/transfer?to=N</c>: whether the leader began the transfer.</summary>
public sealed record TransferReply(bool Accepted);
