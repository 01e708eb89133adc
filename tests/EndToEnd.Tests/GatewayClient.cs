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
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient http;
    private readonly ConcurrentDictionary<string, int> retries = new();

    public GatewayClient(Uri gateway)
    {
        http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2), MaxConnectionsPerServer = 64 })
        {
            BaseAddress = gateway,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = AttemptTimeout,
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
    public async Task<ClusterView?> TryClusterAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var response = await http.GetAsync("/v1/cluster", timeout.Token);
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<ClusterView>(Json, timeout.Token) : null;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
        {
            return null;
        }
    }

    public void Dispose() => http.Dispose();

    /// <summary>The <c>index</c> (and <c>length</c>, <c>deleted</c>) of a write's 200 body.</summary>
    public static JsonElement WriteResult(GatewayReply reply) => JsonDocument.Parse(reply.Body).RootElement.Clone();

    private async Task<GatewayReply> SendAsync(Func<HttpRequestMessage> create, string? idempotencyKey, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        var backoff = FirstBackoff;
        var last = "no attempt";
        for (var attempt = 1; ; attempt++)
        {
            using var request = create();
            if (idempotencyKey is not null)
            {
                request.Headers.Add("Idempotency-Key", idempotencyKey);
            }

            string reason;
            try
            {
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
                {
                    return new GatewayReply(response.StatusCode, body, attempt);
                }

                reason = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                last = $"{reason} {System.Text.Encoding.UTF8.GetString(body)}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                reason = e.GetType().Name;
                last = $"{reason}: {e.Message}";
            }

            retries.AddOrUpdate(reason, 1, (_, n) => n + 1);
            if (clock.Elapsed + backoff > deadline)
            {
                throw new TimeoutException($"{request.Method} {request.RequestUri} had no definitive answer within {deadline.TotalSeconds:0} s ({attempt} attempts); last: {last}");
            }

            await Task.Delay(backoff);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }
}
