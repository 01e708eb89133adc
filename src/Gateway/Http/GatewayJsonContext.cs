using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansRaft.Gateway.Http;

/// <summary>Every JSON shape the gateway writes, serialized without reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PutReply))]
[JsonSerializable(typeof(AppendReply))]
[JsonSerializable(typeof(DeleteReply))]
[JsonSerializable(typeof(ClusterReply))]
[JsonSerializable(typeof(ReadyReply))]
[JsonSerializable(typeof(ProblemReply))]
[JsonSerializable(typeof(MembersReply))]
[JsonSerializable(typeof(MemberChangeReply))]
[JsonSerializable(typeof(LeaderReply))]
[JsonSerializable(typeof(MemberRequest))]
[JsonSerializable(typeof(LeaderRequest))]
public sealed partial class GatewayJsonContext : JsonSerializerContext;
