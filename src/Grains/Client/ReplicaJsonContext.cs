using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansRaft.Grains.Client;

/// <summary>The JSON shapes of the replica API, shared by the silo's endpoints and <see cref="KvReplicaClient"/>.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(KvRequestMessage))]
[JsonSerializable(typeof(KvResponse))]
[JsonSerializable(typeof(ReplicaStatus))]
[JsonSerializable(typeof(TransferReply))]
[JsonSerializable(typeof(MemberRequestMessage))]
[JsonSerializable(typeof(MembershipResult))]
public sealed partial class ReplicaJsonContext : JsonSerializerContext;
