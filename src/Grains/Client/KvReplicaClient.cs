using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansRaft.Grains.Kv;

namespace OrleansRaft.Grains.Client;

/// <summary>
/// <see cref="IKvReplica"/> of one group on one silo, called over HTTP/2 through the silo's replica API.
/// Outcomes follow the grain's: a cancelled call is <see cref="KvStatus.Timeout"/>; a write whose request may
/// have reached the silo before the connection broke is <see cref="KvStatus.Timeout"/> too (its outcome is
/// unknown), while one that never left is <see cref="KvStatus.Unavailable"/>.
/// </summary>
public sealed class KvReplicaClient : IKvReplica
{
    private readonly HttpClient http;

    /// <param name="http">A client whose <see cref="HttpClient.BaseAddress"/> is the silo; see <see cref="CreateHttpClient"/>.</param>
    public KvReplicaClient(HttpClient http, long groupId)
    {
        ArgumentNullException.ThrowIfNull(http.BaseAddress, "http.BaseAddress");
        this.http = http;
        GroupId = groupId;
    }

    public long GroupId { get; }

    public Uri Silo => http.BaseAddress!;

    /// <summary>An h2c client for one silo: HTTP/2 with prior knowledge, requests multiplexed on one connection.</summary>
    public static HttpClient CreateHttpClient(Uri silo, TimeSpan? connectTimeout = null) =>
        new(new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(2),
            KeepAlivePingDelay = TimeSpan.FromSeconds(5),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        })
        {
            BaseAddress = silo,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            // Each call carries its own deadline in its cancellation token.
            Timeout = Timeout.InfiniteTimeSpan,
        };

    public Task<KvResponse> Put(string key, ReadOnlyMemory<byte> value, ClientRequest? request, CancellationToken cancellationToken) =>
        Call(new KvRequestMessage(KvCall.Put, key, value.ToArray(), request), cancellationToken);

    public Task<KvResponse> Append(string key, ReadOnlyMemory<byte> suffix, ClientRequest? request, CancellationToken cancellationToken) =>
        Call(new KvRequestMessage(KvCall.Append, key, suffix.ToArray(), request), cancellationToken);

    public Task<KvResponse> Delete(string key, ClientRequest? request, CancellationToken cancellationToken) =>
        Call(new KvRequestMessage(KvCall.Delete, key, Request: request), cancellationToken);

    public Task<KvResponse> Get(string key, ReadConsistency consistency, CancellationToken cancellationToken) =>
        Call(new KvRequestMessage(KvCall.Get, key, Consistency: consistency), cancellationToken);

    /// <summary>The replica's view of itself. Throws <see cref="HttpRequestException"/> when the silo does not answer.</summary>
    public async Task<ReplicaStatus> Status(CancellationToken cancellationToken)
    {
        using var request = NewRequest(HttpMethod.Get, ReplicaApi.Status(GroupId));
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(ReplicaJsonContext.Default.ReplicaStatus, cancellationToken)
            ?? throw new HttpRequestException("empty status reply");
    }

    /// <summary>Asks the replica, if it leads, to hand leadership to <paramref name="to"/>; true if it began.</summary>
    public async Task<bool> TransferLeadership(long to, CancellationToken cancellationToken)
    {
        using var request = NewRequest(HttpMethod.Post, ReplicaApi.Transfer(GroupId, to));
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var reply = await response.Content.ReadFromJsonAsync(ReplicaJsonContext.Default.TransferReply, cancellationToken);
        return reply?.Accepted ?? false;
    }

    /// <summary>
    /// Asks the replica, if it leads, for one membership change (<see cref="RaftReplicaGrain.ChangeMembership"/>).
    /// A call that broke on the way is <see cref="MembershipStatus.Timeout"/>: the change may have taken effect.
    /// </summary>
    public async Task<MembershipResult> ChangeMembership(MembershipRequest change, CancellationToken cancellationToken)
    {
        try
        {
            using var request = change.Kind == MembershipRequestKind.Remove
                ? NewRequest(HttpMethod.Delete, ReplicaApi.Member(GroupId, change.NodeId))
                : NewRequest(HttpMethod.Post, ReplicaApi.Members(GroupId));
            if (change.Kind != MembershipRequestKind.Remove)
            {
                var role = change.Kind == MembershipRequestKind.AddLearner ? "learner" : "voter";
                request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(
                    new MemberRequestMessage(change.NodeId, change.Address?.ToString(), role), ReplicaJsonContext.Default.MemberRequestMessage))
                {
                    Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
                };
            }

            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadFromJsonAsync(ReplicaJsonContext.Default.MembershipResult, cancellationToken)
                    ?? new MembershipResult(MembershipStatus.Unavailable) { Detail = "empty reply" };
            }

            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            return new MembershipResult(MembershipStatus.Unavailable) { Detail = $"HTTP {(int)response.StatusCode} from {Silo}: {detail}" };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new MembershipResult(MembershipStatus.Timeout) { Detail = "no outcome before the deadline" };
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            return new MembershipResult(MembershipStatus.Unavailable) { Detail = $"{Silo} unreachable: {e.Message}" };
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
        {
            return new MembershipResult(MembershipStatus.Timeout) { Detail = $"outcome unknown, the call to {Silo} broke: {e.Message}" };
        }
    }

    private static HttpRequestMessage NewRequest(HttpMethod method, string path) =>
        new(method, path) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

    private async Task<KvResponse> Call(KvRequestMessage message, CancellationToken cancellationToken)
    {
        var write = message.Call != KvCall.Get;
        try
        {
            using var request = NewRequest(HttpMethod.Post, ReplicaApi.Kv(GroupId));
            // Serialized up front so the request carries a Content-Length and the silo reads it into one exact buffer.
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(message, ReplicaJsonContext.Default.KvRequestMessage))
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
            };
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadFromJsonAsync(ReplicaJsonContext.Default.KvResponse, cancellationToken)
                    ?? new KvResponse(KvStatus.Unavailable) { Detail = "empty reply" };
            }

            // The silo refused the request itself (unknown group, bad request): nothing was proposed.
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            return new KvResponse(KvStatus.Unavailable) { Detail = $"HTTP {(int)response.StatusCode} from {Silo}: {detail}" };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new KvResponse(KvStatus.Timeout) { Detail = "no outcome before the deadline" };
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            return new KvResponse(KvStatus.Unavailable) { Detail = $"{Silo} unreachable: {e.Message}" };
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
        {
            return write
                ? new KvResponse(KvStatus.Timeout) { Detail = $"outcome unknown, the call to {Silo} broke: {e.Message}" }
                : new KvResponse(KvStatus.Unavailable) { Detail = $"the call to {Silo} broke: {e.Message}" };
        }
    }
}
