namespace OrleansRaft.Linearizability.Tests.Harness;

/// <summary>Short constructors for hand-written histories: client, key, value, then [call, return] (null = unknown).</summary>
internal static class Op
{
    public static KvOperation Get(int client, string key, string? value, long call, long? ret) =>
        new() { ClientId = client, Kind = KvOperationKind.Get, Key = key, Output = value, Call = call, Return = ret };

    public static KvOperation Put(int client, string key, string value, long call, long? ret) =>
        new() { ClientId = client, Kind = KvOperationKind.Put, Key = key, Input = value, Call = call, Return = ret };

    public static KvOperation Append(int client, string key, string suffix, long call, long? ret) =>
        new() { ClientId = client, Kind = KvOperationKind.Append, Key = key, Input = suffix, Call = call, Return = ret };

    public static KvOperation Delete(int client, string key, long call, long? ret) =>
        new() { ClientId = client, Kind = KvOperationKind.Delete, Key = key, Call = call, Return = ret };
}
