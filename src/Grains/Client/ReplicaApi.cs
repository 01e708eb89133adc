namespace OrleansRaft.Grains.Client;

/// <summary>Routes of the silo's internal replica API, which the gateway and the tests call.</summary>
public static class ReplicaApi
{
    /// <summary>Longest key the log's command encoding is given (its length field is 16 bits).</summary>
    public const int MaxKeyBytes = 4096;

    public const string KvRoute = "/replica/v1/{group:long}/kv";

    public const string StatusRoute = "/replica/v1/{group:long}/status";

    public const string TransferRoute = "/replica/v1/{group:long}/transfer";

    public const string MembersRoute = "/replica/v1/{group:long}/members";

    public const string MemberRoute = "/replica/v1/{group:long}/members/{id:long}";

    public static string Members(long groupId) => $"/replica/v1/{groupId}/members";

    public static string Member(long groupId, long id) => $"/replica/v1/{groupId}/members/{id}";

    public static string Kv(long groupId) => $"/replica/v1/{groupId}/kv";

    public static string Status(long groupId) => $"/replica/v1/{groupId}/status";

    public static string Transfer(long groupId, long to) => $"/replica/v1/{groupId}/transfer?to={to}";
}
