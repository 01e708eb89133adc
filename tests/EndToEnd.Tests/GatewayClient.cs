using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansRaft.EndToEnd.Tests;

/// <summary>
/// The gateway's REST API over HTTP/1.1, as any client uses it. Requests are repeated on 503 (no leader yet),
/// 504 (outcome unknown) and broken connections until a definitive answer or the deadline; a write carries one
/// <c>Idempotency-Key</c> for all its attempts, so a repeated write is applied at most once.
/// </summary>
public sealed class GatewayClient : IDisposable
{
    private static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient http;
    private readonly ConcurrentDictionary<string, int> retries = new();

    public GatewayClient(Uri gateway)
        : this(gateway, DefaultAttemptTimeout)
    {
    }

    /// <param name="attemptTimeout">The HTTP timeout of one attempt: no answer by then is a timeout.</param>
    public GatewayClient(Uri gateway, TimeSpan attemptTimeout)
    {
        http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2), MaxConnectionsPerServer = 64 })
        {
            BaseAddress = gateway,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = attemptTimeout,
        };
    }

    /// <summary>Repeated attempts so far, by what made them repeat (e.g. "503", "504", "HttpRequestException").</summary>
    public IReadOnlyDictionary<string, int> Retries => retries.ToDictionary(p => p.Key, p => p.Value);

    public static string KeyPath(string key) => "/v1/kv/" + Uri.EscapeDataString(key);

    public Task<GatewayReply> PutAsync(string key, byte[] value, string idempotencyKey, TimeSpan deadline) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Put, KeyPath(key)) { Content = new ByteArrayContent(value) }, idempotencyKey, deadline);

    public Task<GatewayReply> AppendAsync(string key, byte[] suffix, string idempotencyKey, TimeSpan deadline) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Post, KeyPath(key) + "/append") { Content = new ByteArrayContent(suffix) }, idempotencyKey, deadline);

    public Task<GatewayReply> DeleteAsync(string key, string idempotencyKey, TimeSpan deadline) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, KeyPath(key)), idempotencyKey, deadline);

    /// <summary>A linearizable read; the reply's status is 200 or 404.</summary>
    public Task<GatewayReply> GetAsync(string key, TimeSpan deadline) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, KeyPath(key)), null, deadline);

    /// <summary><c>GET /v1/cluster</c>, or null when the gateway does not answer 200 (no retries).</summary>
    public Task<ClusterView?> TryClusterAsync() => TryGetAsync<ClusterView>("/v1/cluster");

    /// <summary><c>GET /v1/cluster/members</c>, or null when the gateway does not answer 200 (no retries).</summary>
    public Task<MembersView?> TryMembersAsync() => TryGetAsync<MembersView>("/v1/cluster/members");

    /// <summary>One request with a JSON body (or none), no retries.</summary>
    public async Task<GatewayAttempt> SendJsonAsync(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        return await AttemptAsync(request, null);
    }

    public void Dispose() => http.Dispose();

    /// <summary>The <c>index</c> (and <c>length</c>, <c>deleted</c>) of a write's 200 body.</summary>
    public static JsonElement WriteResult(GatewayReply reply) => JsonDocument.Parse(reply.Body).RootElement.Clone();

    /// <summary>
    /// One request, no retries: the gateway's answer, or the exception (timeout, broken connection) that ended it.
    /// </summary>
    public async Task<GatewayAttempt> AttemptAsync(HttpRequestMessage request, string? idempotencyKey)
    {
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        try
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            return new GatewayAttempt(response.StatusCode, body, response.Headers.RetryAfter is not null, null, response.Content.Headers.ContentType?.MediaType);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new GatewayAttempt(null, [], false, e);
        }
    }

    private async Task<T?> TryGetAsync<T>(string path)
        where T : class
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var response = await http.GetAsync(path, timeout.Token);
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<T>(Json, timeout.Token) : null;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
        {
            return null;
        }
    }

    private async Task<GatewayReply> SendAsync(Func<HttpRequestMessage> create, string? idempotencyKey, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        var backoff = FirstBackoff;
        for (var attempt = 1; ; attempt++)
        {
            using var request = create();
            var answer = await AttemptAsync(request, idempotencyKey);
            if (answer.Status is { } status and not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
            {
                return new GatewayReply(status, answer.Body, attempt);
            }

            var reason = answer.Error?.GetType().Name ?? ((int)answer.Status!).ToString(System.Globalization.CultureInfo.InvariantCulture);
            retries.AddOrUpdate(reason, 1, (_, n) => n + 1);
            if (clock.Elapsed + backoff > deadline)
            {
                throw new TimeoutException($"{request.Method} {request.RequestUri} had no definitive answer within {deadline.TotalSeconds:0} s ({attempt} attempts); last: {answer}");
            }

            await Task.Delay(backoff);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }
}
