using OrleansRaft.Grains;
using OrleansRaft.Grains.Client;
using OrleansRaft.Grains.Kv;

namespace OrleansRaft.Gateway.Forwarding;

/// <summary>One client request as the gateway sends (and resends) it to a replica; retries reuse it unchanged.</summary>
internal readonly record struct ForwardedCall(KvCall Call, string Key, ReadOnlyMemory<byte> Value, ClientRequest? Request, ReadConsistency Consistency)
{
    public static ForwardedCall Read(string key, ReadConsistency consistency) => new(KvCall.Get, key, default, null, consistency);

    public static ForwardedCall Write(KvCall call, string key, ReadOnlyMemory<byte> value, ClientRequest request) =>
        new(call, key, value, request, ReadConsistency.Linearizable);

    public Task<KvResponse> SendTo(IKvReplica replica, CancellationToken cancellationToken) => Call switch
    {
        KvCall.Get => replica.Get(Key, Consistency, cancellationToken),
        KvCall.Put => replica.Put(Key, Value, Request, cancellationToken),
        KvCall.Append => replica.Append(Key, Value, Request, cancellationToken),
        _ => replica.Delete(Key, Request, cancellationToken),
    };
}
